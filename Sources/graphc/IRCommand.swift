import ArgumentParser
import GraphCompiler
import GraphIR

/// `graphc ir FILE`: the optimised graph IR as text, and its compiled plan.
struct IR: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ir",
    abstract: "Print the optimised graph IR, forward and backward, as text.",
    discussion: """
      After the IR come comment lines with the compiled plan: one per kernel with its kind \
      (flat, chunked-reduction, loop-nest, scatter, matmul, axpy, column-sums), the nodes \
      it writes into which buffers and the buffers it reads; then one per buffer with its \
      place. The last line summarises it: '# K kernels, B bytes of intermediate buffers'.
      """)

  @Argument(help: "The .graph file.") var file: String

  func run() throws {
    let source = try loadGraphFile(file)
    let listing = try Pipeline.listing(source.graph)
    print(listing.ir, terminator: "")
    print(listing.plan, terminator: "")
    print(planSummary(kernels: listing.kernelCount, arenaBytes: listing.arenaBytes))
  }
}

/// `# 3 kernels, 4224 bytes of intermediate buffers`
func planSummary(kernels: Int, arenaBytes: Int) -> String {
  "# \(kernels) kernel\(kernels == 1 ? "" : "s"), \(arenaBytes) byte\(arenaBytes == 1 ? "" : "s") "
    + "of intermediate buffers"
}

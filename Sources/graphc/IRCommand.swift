import ArgumentParser
import GraphCompiler
import GraphIR

/// `graphc ir FILE`: the optimised graph IR as text, and what its compiled schedule needs.
struct IR: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ir",
    abstract: "Print the optimised graph IR, forward and backward, as text.",
    discussion: """
      The last line summarises the compiled schedule: \
      '# K kernels, B bytes of intermediate buffers'.
      """)

  @Argument(help: "The .graph file.") var file: String

  func run() throws {
    let source = try loadGraphFile(file)
    let listing = try Pipeline.listing(source.graph)
    print(listing.ir, terminator: "")
    print(scheduleSummary(kernels: listing.kernelCount, arenaBytes: listing.arenaBytes))
  }
}

/// `# 3 kernels, 4224 bytes of intermediate buffers`
func scheduleSummary(kernels: Int, arenaBytes: Int) -> String {
  "# \(kernels) kernel\(kernels == 1 ? "" : "s"), \(arenaBytes) byte\(arenaBytes == 1 ? "" : "s") "
    + "of intermediate buffers"
}

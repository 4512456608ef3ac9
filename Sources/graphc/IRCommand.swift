import ArgumentParser
import GraphCompiler

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
    let optimized = Pipeline.optimize(source.graph)
    print(optimized.text, terminator: "")
    let program = try CEmitter.emit(optimized, options: CodegenOptions(annotate: false))
    print(scheduleSummary(kernels: program.kernelCount, arenaBytes: program.arenaBytes))
  }
}

/// `# 3 kernels, 4224 bytes of intermediate buffers`
func scheduleSummary(kernels: Int, arenaBytes: Int) -> String {
  "# \(kernels) kernel\(kernels == 1 ? "" : "s"), \(arenaBytes) byte\(arenaBytes == 1 ? "" : "s") "
    + "of intermediate buffers"
}

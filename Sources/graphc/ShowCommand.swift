import ArgumentParser
import GraphCompiler
import GraphIR

/// `graphc show FILE`: every output as readable, simplified math.
struct Show: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Print every output as readable, simplified math.",
    discussion: """
      One 'name = formula' line per output, in output order. Values that several formulas \
      share (or reductions and matrix products) come first on lines of their own.
      """)

  @Argument(help: "The .graph file.") var file: String

  func run() throws {
    let source = try loadGraphFile(file)
    for line in mathText(Pipeline.optimize(source.graph)) { print(line) }
  }
}

import ArgumentParser
import GraphIR

/// `graphc ir FILE`: the optimised graph IR as text.
struct IR: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ir", abstract: "Print the optimised graph IR, forward and backward, as text.")

  @Argument(help: "The .graph file.") var file: String

  func run() throws {
    let source = try loadGraphFile(file)
    print(Simplify.run(source.graph).text, terminator: "")
  }
}

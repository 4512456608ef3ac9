import ArgumentParser
import GraphCompiler
import GraphIR

/// `graphc dot FILE`: the optimised graph in Graphviz DOT.
struct Dot: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dot", abstract: "Print the graph in Graphviz DOT (render with 'dot -Tsvg').")

  @Argument(help: "The .graph file.") var file: String

  func run() throws {
    let source = try loadGraphFile(file)
    print(dotText(Pipeline.optimize(source.graph)), terminator: "")
  }
}

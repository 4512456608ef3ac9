import ArgumentParser
import GraphIR
import GraphLanguage

/// `graphc run FILE`: runs the graph and prints its outputs.
struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Compile the file, run it and print its outputs.")

  @Argument(help: "The .graph file.") var file: String
  @OptionGroup var values: ValueOptions
  @OptionGroup var execution: ExecutionArguments
  @Flag(help: "Print exactly one JSON object: {\"outputs\": {...}}.") var json = false

  func run() throws {
    let source = try loadGraphFile(file)
    let inputs = try bindArguments(source, settings: values.settings, seed: values.seed)
    let results = try execute(source.graph, inputs: inputs, options: execution.options)
    let ordered = try source.graph.outputs.map { output in
      guard let value = results[output.name] else {
        throw CommandError("the run returned no value for output '\(output.name)'")
      }
      return (output.name, value)
    }
    print(json ? outputsJSON(ordered) : outputsText(ordered))
  }
}

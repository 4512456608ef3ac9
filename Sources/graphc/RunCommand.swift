import ArgumentParser
import GraphCompiler
import GraphIR
import GraphLanguage

/// `graphc run FILE`: compiles the graph, runs it once and prints its outputs.
struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Compile the file, run it and print its outputs.",
    discussion: """
      Every input needs a value (--set); params not set take their initialisers under --seed.
      The graph runs through compiled C kernels (--backend, --threads).
      """)

  @Argument(help: "The .graph file.") var file: String
  @OptionGroup var values: ValueOptions
  @OptionGroup var execution: ExecutionArguments
  @Flag(help: "Print exactly one JSON object: {\"outputs\": {...}}.") var json = false

  func run() throws {
    let source = try loadGraphFile(file)
    let inputs = try bindArguments(source, settings: values.settings, seed: values.seed)
    let compiler = KernelCompiler(options: execution.compileOptions(seed: values.seed))
    let results = try compiler.run(source.graph, inputs)
    let ordered = try orderedOutputs(source.graph, results)
    print(json ? outputsJSON(ordered) : outputsText(ordered))
  }
}

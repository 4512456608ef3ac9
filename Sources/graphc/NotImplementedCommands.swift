import ArgumentParser

/// `graphc emit-c FILE`: the generated C. (Also what `graphc FILE` does.)
struct EmitC: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "emit-c", abstract: "Print the generated C for the forward and backward pass.")

  @Argument(help: "The .graph file.") var file: String
  @Flag(help: "Write a self-contained .c and .h pair that any C99 compiler builds.")
  var standalone = false
  @Option(name: .short, help: "Where to write the C (default: standard output).") var output:
    String?

  func run() throws {
    _ = try loadGraphFile(file)
    throw CommandError("'emit-c' is not implemented yet")
  }
}

/// `graphc show FILE`: every output as readable math.
struct Show: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show", abstract: "Print every output as readable, simplified math.")

  @Argument(help: "The .graph file.") var file: String

  func run() throws {
    _ = try loadGraphFile(file)
    throw CommandError("'show' is not implemented yet")
  }
}

/// `graphc check FILE`: every `grad` against finite differences.
struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check", abstract: "Compare every grad(...) with central finite differences.")

  @Argument(help: "The .graph file.") var file: String
  @OptionGroup var values: ValueOptions
  @OptionGroup var execution: ExecutionArguments

  func run() throws {
    _ = try loadGraphFile(file)
    throw CommandError("'check' is not implemented yet")
  }
}

/// `graphc bench FILE`: compile time and run time.
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench", abstract: "Measure compile time and run time.")

  @Argument(help: "The .graph file.") var file: String
  @OptionGroup var values: ValueOptions
  @OptionGroup var execution: ExecutionArguments
  @Flag(help: "Print one JSON object with compile_ms and run_ms.") var json = false

  func run() throws {
    _ = try loadGraphFile(file)
    throw CommandError("'bench' is not implemented yet")
  }
}

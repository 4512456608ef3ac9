import ArgumentParser

/// `--set NAME=VALUE ... [--seed N]`: the values of inputs and params.
struct ValueOptions: ParsableArguments {
  @Option(
    name: .customLong("set"),
    help: ArgumentHelp(
      "An input or param value: a number, a JSON array, or @PATH to a .npy or .json file.",
      valueName: "NAME=VALUE"))
  var settings: [String] = []

  @Option(help: "The seed of random param initialisers.") var seed: UInt64 = 0
}

/// `--backend tcc|cc --threads N`
struct ExecutionArguments: ParsableArguments {
  @Option(help: "The C compiler: tcc (in-process, default) or cc (system, optimised).")
  var backend: Backend = .tcc

  @Option(help: "Worker threads (default: chosen by the runtime).") var threads: Int?

  func validate() throws {
    if let threads, threads < 1 {
      throw ValidationError("--threads must be 1 or more, got \(threads)")
    }
  }

  /// The options for `execute`.
  var options: ExecutionOptions { ExecutionOptions(backend: backend, threads: threads) }
}

import ArgumentParser
import Foundation
import GraphCompiler
import GraphIR

/// `--set NAME=VALUE ... [--seed N]`: the values of inputs and params.
struct ValueOptions: ParsableArguments {
  @Option(
    name: .customLong("set"),
    help: ArgumentHelp(
      "An input or param value: a number, a JSON array, or @PATH to a .npy or .json file.",
      valueName: "NAME=VALUE"))
  var settings: [String] = []

  @Option(help: "The seed of random param initialisers (and of random input values).")
  var seed: UInt64 = 0
}

/// `--backend tcc|cc --threads N`
struct ExecutionArguments: ParsableArguments {
  @Option(help: "The C compiler: tcc (in-process, default) or cc (system, optimised).")
  var backend: Backend = .tcc

  @Option(help: "Worker threads (default: the number of cores available).") var threads: Int?

  func validate() throws {
    if let threads, threads < 1 {
      throw ValidationError("--threads must be 1 or more, got \(threads)")
    }
  }

  /// The thread count to use: as given, else every core this process may use.
  var resolvedThreads: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

  /// Compile options for these arguments and `seed`.
  func compileOptions(seed: UInt64) -> CompileOptions {
    CompileOptions(backend: backend, threads: resolvedThreads, seed: seed)
  }
}

extension Backend: ExpressibleByArgument {}

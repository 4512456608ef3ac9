import Foundation
import GraphCompiler

/// Compiles graphs into kernels for one command, remembering what it compiled.
///
/// The one place the command line turns a graph into machine code: it falls back from a
/// backend this build does not have to TinyCC with a one-line warning (printed once), and
/// reuses the compiled code when the same graph comes again (`check` evaluates one graph
/// many times).
final class KernelCompiler {
  /// The options asked for.
  let options: CompileOptions
  /// The backend actually used (TinyCC after a fallback).
  private(set) var backend: Backend
  private var cache: [String: CompiledGraph] = [:]

  init(options: CompileOptions) {
    self.options = options
    backend = options.backend
  }

  /// `graph` compiled (from the cache when this graph was compiled before).
  func compile(_ graph: Graph) throws -> CompiledGraph {
    let key = graph.text
    if let compiled = cache[key] { return compiled }
    let compiled = try compileUncached(graph)
    cache[key] = compiled
    return compiled
  }

  /// `graph` compiled afresh, for timing.
  func compileUncached(_ graph: Graph) throws -> CompiledGraph {
    var options = options
    options.backend = backend
    do {
      return try Pipeline.compile(graph, options: options)
    } catch CompileError.backendUnavailable(let name) where backend != .tcc {
      writeToStandardError(
        "graphc: warning: backend '\(name)' is not available in this build; using tcc")
      backend = .tcc
      options.backend = .tcc
      return try Pipeline.compile(graph, options: options)
    }
  }

  /// Runs `graph` on `values` through compiled kernels and returns its outputs by name.
  ///
  /// Values for names the optimised graph no longer uses are dropped (an input that only
  /// fed dead code is not an error here; `bindArguments` already checked every name).
  func run(_ graph: Graph, _ values: [String: Tensor]) throws -> [String: Tensor] {
    let compiled = try compile(graph)
    let used = Set(compiled.inputs.map(\.name))
    return try compiled.run(values.filter { used.contains($0.key) })
  }
}

/// The outputs of `graph` in its order, from `results` by name.
func orderedOutputs(_ graph: Graph, _ results: [String: Tensor]) throws -> [(String, Tensor)] {
  try graph.outputs.map { output in
    guard let value = results[output.name] else {
      throw CommandError("the run returned no value for output '\(output.name)'")
    }
    return (output.name, value)
  }
}

import Foundation
import GraphCompiler
import GraphIR

/// Compiles graphs into kernels for one command, remembering what it compiled.
///
/// The one place the command line turns a graph into machine code: it reuses the compiled
/// code when the same graph comes again (`check` evaluates one graph many times), and prints
/// the backend's warnings (`graphc: warning: ...`) once each, as they arrive.
final class KernelCompiler {
  /// The options asked for.
  let options: CompileOptions
  private var cache: [String: CompiledGraph] = [:]
  /// How many warnings of each compiled graph are printed already.
  private var printed: [ObjectIdentifier: Int] = [:]

  init(options: CompileOptions) {
    self.options = options
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
    let compiled = try Pipeline.compile(graph, options: options)
    printNewWarnings(of: compiled)
    return compiled
  }

  /// Prints the warnings of `compiled` not printed yet (a tiered build adds its own later).
  func printNewWarnings(of compiled: CompiledGraph) {
    let warnings = compiled.warnings
    let done = printed[ObjectIdentifier(compiled), default: 0]
    printWarnings(warnings.dropFirst(done))
    printed[ObjectIdentifier(compiled)] = warnings.count
  }

  /// Runs `graph` on `values` through compiled kernels and returns its outputs by name.
  /// Params without a value take their starting values under the options' seed.
  func run(_ graph: Graph, _ values: [String: Tensor]) throws -> [String: Tensor] {
    let compiled = try compile(graph)
    let outputs = try compiled.run(values)
    printNewWarnings(of: compiled)
    return outputs
  }
}

/// `graphc: warning: ...`, one line each, on standard error.
func printWarnings(_ warnings: some Sequence<String>) {
  for warning in warnings { writeToStandardError("graphc: warning: \(warning)") }
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

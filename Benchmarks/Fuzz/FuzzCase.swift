import Autodiff
import CCodegen
import Foundation
import GraphCompiler
import GraphIR
import GraphLanguage

/// One fuzz input through the whole compiler, in-process, with the contract as the oracle.
///
/// The contract for any `.graph` text: one located error line, or the right answer, never
/// a crash or a hang. So the stages are the command line's: parse, `show`, `ir`, `emit-c`
/// (plain and standalone), TinyCC compile and, when the graph is small, a run on seeded
/// inputs compared with the reference interpreter on the graph as parsed (before
/// simplification, so a wrong rewrite shows too), and every `grad` compared with central
/// differences as `graphc check` does.
///
/// A broken promise that is not a crash by itself (an unlocated error, C that does not
/// compile, an invalid graph after a pass) is turned into one with `preconditionFailure`,
/// so that libFuzzer saves the input. A disagreement with the interpreter is reported to
/// `onMismatch` instead: floating point gives borderline cases that need a human.
enum FuzzCase {
  /// What happened to one input.
  enum Outcome: CustomStringConvertible {
    /// The file has a mistake: the one-line diagnostic.
    case rejected(String)
    /// It compiled, but running it was refused (too large for this machine): the message.
    case refused(String)
    /// It compiled; it was too large to run in the harness.
    case compiled
    /// It compiled, ran, and agreed with the interpreter and with finite differences (or
    /// `mismatches` says where not).
    case ran(mismatches: [String])

    var description: String {
      switch self {
      case .rejected(let line): "rejected: \(line)"
      case .refused(let message): "refused: \(message)"
      case .compiled: "compiled (too large to run here)"
      case .ran(let mismatches) where mismatches.isEmpty: "ran, agrees with the interpreter"
      case .ran(let mismatches): "ran, DISAGREES: " + mismatches.joined(separator: "; ")
      }
    }
  }

  /// The file name used in diagnostics.
  static let fileName = "fuzz.graph"

  /// Graphs with more elements than this in all their nodes together are compiled but not
  /// run: the interpreter is slow on purpose, and a fuzz input must finish in milliseconds.
  static let runLimit = 1 << 16

  /// Runs `bytes` through every stage. `stage` is called with each stage's name before it
  /// starts (for timing and for naming the stage of a hang).
  static func run(_ bytes: [UInt8], stage: (String) -> Void = { _ in }) -> Outcome {
    stage("parse")
    let file: GraphFile
    do {
      file = try GraphParser.parseFile(bytes: bytes, fileName: fileName)
    } catch let error as SourceError {
      let line = error.description
      guard line.hasPrefix("\(fileName):"), !line.contains(where: \.isNewline),
        error.position.line >= 1, error.position.column >= 1
      else { preconditionFailure("a parse error that is not one located line: \(line)") }
      return .rejected(line)
    } catch {
      preconditionFailure("the parser threw a \(type(of: error)), not a SourceError: \(error)")
    }
    checkValid(file.graph, after: "parsing")

    stage("optimize")
    let optimized = Pipeline.optimize(file.graph)
    checkValid(optimized, after: "optimize")

    stage("show")
    _ = mathText(Simplify.run(file.graph))
    stage("ir")
    _ = optimized.text

    stage("emit-c")
    do {
      _ = try CEmitter.emit(optimized, options: CodegenOptions(annotate: true))
      _ = try CEmitter.emitStandalone(optimized, name: "fuzz")
    } catch {
      preconditionFailure("emitting C for a graph that parsed failed: \(error)")
    }

    stage("compile")
    let compiled: CompiledGraph
    do {
      // Two threads, so that kernels big enough to be split run split.
      compiled = try Pipeline.compile(
        file.graph, options: CompileOptions(threads: 2, annotate: true))
    } catch let error as GraphError {
      return .refused(error.description)  // more memory than the machine has
    } catch CompileError.tooLarge(let bytes) {
      return .refused("needs \(bytes) bytes")
    } catch {
      preconditionFailure("compiling a graph that parsed failed: \(error)")
    }

    let elements = file.graph.nodes.reduce(0) { $0 + $1.type.count }
    guard elements <= runLimit else { return .compiled }
    var mismatches = runDisagreements(file, compiled, stage: stage)
    stage("check")
    mismatches += derivativeDisagreements(file)
    return .ran(mismatches: mismatches)
  }

  /// Where the compiled graph's outputs differ from the interpreter's on the graph as parsed.
  /// Inputs as `graphc check` makes them (positive, so log and sqrt are defined), then of
  /// both signs (where rewrites like sqrt(x^2) = x would go wrong).
  private static func runDisagreements(
    _ file: GraphFile, _ compiled: CompiledGraph, stage: (String) -> Void
  ) -> [String] {
    var mismatches: [String] = []
    for (k, range) in [(0.5, 1.5), (-2.0, 2.0)].enumerated() {
      stage("run \(k + 1)")
      let values = inputValues(file, low: range.0, high: range.1)
      let used = Set(compiled.inputs.map(\.name))
      let got: [String: Tensor]
      let expected: [String: Tensor]
      do {
        got = try compiled.run(values.filter { used.contains($0.key) })
      } catch {
        preconditionFailure("running a compiled graph on its own declared inputs failed: \(error)")
      }
      stage("interpret \(k + 1)")
      do {
        expected = try Interpreter.run(file.graph, values)
      } catch {
        preconditionFailure("the interpreter failed on the declared inputs: \(error)")
      }
      for output in file.graph.outputs {
        guard let a = expected[output.name], let b = got[output.name] else {
          preconditionFailure("output '\(output.name)' is missing from a run")
        }
        if let problem = disagreement(a, b) {
          mismatches.append("\(output.name) (inputs in [\(range.0), \(range.1))): \(problem)")
        }
      }
    }
    return mismatches
  }

  /// Every `grad(y, x)` of `file` against central differences, as `graphc check` does (on
  /// the interpreter, at positive inputs, where the kinks of relu, abs and max are unlikely).
  ///
  /// Tolerance 1e-4, well above the ~1e-8 of smooth f64 functions (f32 gradients are
  /// compared in f64 too). A difference says nothing when it is not finite (y overflows
  /// near x) or when rounding y swamps it: the difference's rounding error is about
  /// ε|y|/h = 2.2e-10 |y| for the step h = 1e-6 (at |x| <= 1), above the tolerance once
  /// |y| > ~1e4 max(1, |g|) (`1e308 + x` has derivative 1, its difference is 0).
  private static func derivativeDisagreements(_ file: GraphFile) -> [String] {
    let cases = file.gradients.map { site in
      GradientCheck.Case(
        y: site.y, x: site.x, gradient: site.result, label: "grad at \(site.position)")
    }
    let inputs = inputValues(file, low: 0.5, high: 1.5)
    var ys = file.graph
    ys.outputs = cases.indices.map { GraphOutput("y\($0)", cases[$0].y) }
    do {
      let y = try Interpreter.run(ys, inputs)
      let results = try GradientCheck.run(
        file.graph, cases: cases, inputs: inputs, tolerance: 1e-4, maxElements: 4,
        evaluate: Interpreter.run)
      return results.indices.compactMap { k in
        let result = results[k]
        let magnitude = abs(y["y\(k)"]?.scalar ?? 0)
        let judged =
          result.estimated.isFinite && magnitude <= 1e4 * max(1, abs(result.computed))
        return !result.passed && judged ? "derivative: \(result)" : nil
      }
    } catch {
      preconditionFailure("the gradient check failed on the declared inputs: \(error)")
    }
  }

  /// Stops when `graph` breaks an invariant (the verifier runs between passes only in
  /// debug builds; the fuzzer is a release build).
  private static func checkValid(_ graph: Graph, after stage: String) {
    if let problem = Verifier.check(graph) {
      preconditionFailure("invalid graph after \(stage): \(problem)")
    }
  }

  /// Seeded values for every input (uniform in [low, high)) and param (its initialiser).
  private static func inputValues(_ file: GraphFile, low: Double, high: Double)
    -> [String: Tensor]
  {
    var values: [String: Tensor] = [:]
    for declaration in file.declarations {
      let initializer =
        declaration.kind == .input
        ? Initializer.uniform(low: low, high: high)
        : file.graph.initializers[declaration.name] ?? .fill(0)
      values[declaration.name] = initializer.values(
        declaration.type, seed: 1, name: declaration.name)
    }
    return values
  }

  /// Where the compiled result `got` differs from the interpreter's `expected`, or nil.
  ///
  /// Elements agree when both are NaN, both are the same infinity, or both are finite and
  /// |a - b| <= tol * max(1, |a|, |b|) with tol 1e-9 for f64 and 1e-4 for f32. The kernels may add in a
  /// different order than the interpreter (blocked matrix products, chunked sums) and
  /// simplification rewrites expressions, so bitwise equality is too strict; these
  /// tolerances are far above such rounding for the short expressions a fuzzer writes.
  static func disagreement(_ expected: Tensor, _ got: Tensor) -> String? {
    guard expected.shape == got.shape, expected.scalars.count == got.scalars.count else {
      return "shape \(got.shape), expected \(expected.shape)"
    }
    let tolerance = expected.dtype == .f32 ? 1e-4 : 1e-9
    for (k, (a, b)) in zip(expected.scalars, got.scalars).enumerated() {
      if a.isNaN && b.isNaN { continue }
      if a == b { continue }  // equal infinities too
      if a.isFinite && b.isFinite {
        let scale = max(1, abs(a), abs(b))
        if abs(a - b) <= tolerance * scale { continue }
      }
      return "element \(k): got \(b), expected \(a)"
    }
    return nil
  }
}

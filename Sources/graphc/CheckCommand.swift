import ArgumentParser
import Autodiff
import Foundation
import GraphCompiler
import GraphIR
import GraphLanguage

/// `graphc check FILE`: every `grad(y, x)` in the file, run through the compiled kernels,
/// against central finite differences.
struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Compare every grad(...) with central finite differences.",
    discussion: """
      Prints one line per grad(...) call, named after the value it defines: \
      'df: worst relative error 3.2e-09 (ok)'. The error of one element is \
      |g - fd| / max(1, |g|, |fd|), with fd the central difference of step \
      1e-6 * max(1, |x|) computed in f64. Exits with status 1 when any gradient is off by \
      more than --tolerance (default 1e-6 for f64 gradients, 1e-3 for f32).

      Inputs not given by --set get seeded random values of their declared type, uniform in \
      [0.5, 1.5) (--seed): positive, so log, sqrt and division are defined. At a kink the \
      documented derivative convention can differ from the finite difference, which sees \
      the average of both sides: relu'(0) is 0 but the central difference is 0.5, so \
      'check' reports a disagreement there.

      Every compared element costs two runs of the graph, so each gradient is compared at \
      --samples elements (default 64): the first, the last, and the rest at fixed \
      pseudo-random positions (the same every run). Each line says how many elements were \
      compared. A sample finds a derivative rule that is wrong everywhere but can miss an \
      error confined to a few elements; --samples all (or 0) compares every element.
      """)

  @Argument(help: "The .graph file.") var file: String
  @OptionGroup var values: ValueOptions
  @OptionGroup var execution: ExecutionArguments
  @Option(help: "The largest error accepted (default: 1e-6 for f64, 1e-3 for f32).")
  var tolerance: Double?
  @Option(
    help: ArgumentHelp(
      "Elements compared per gradient: a count, or all (also 0) for every element.",
      valueName: "N|all"))
  var samples: SampleCount = .count(64)

  func validate() throws {
    if let tolerance, !(tolerance >= 0) {
      throw ValidationError("--tolerance must be 0 or more, got \(tolerance)")
    }
  }

  func run() throws {
    let source = try loadGraphFile(file)
    var inputs = try bindArguments(
      source, settings: values.settings, seed: values.seed, missing: .random)
    addParamStartingValues(source, to: &inputs, seed: values.seed)
    guard !source.gradients.isEmpty else {
      print("\(source.fileName) has no grad(...) to check")
      return
    }
    let cases = source.gradients.map { site in
      GradientCheck.Case(
        y: site.y, x: site.x, gradient: site.result, label: gradientLabel(source, site))
    }
    let evaluations = source.gradients.reduce(0) { total, site in
      let count = source.graph[site.x].type.count
      return total + 2 * min(count, samples.limit ?? count)
    }
    if evaluations > 10_000 {
      writeToStandardError(
        "graphc: note: central differences need \(evaluations) runs of the graph "
          + "(two per compared element); this may take a while")
    }
    let compiler = KernelCompiler(options: execution.compileOptions(seed: values.seed))
    let results = try GradientCheck.run(
      source.graph, cases: cases, inputs: inputs, tolerance: tolerance,
      maxElements: samples.limit, evaluate: compiler.run)
    for result in results { print(checkLine(result)) }
    let failed = results.filter { !$0.passed }.count
    if failed > 0 {
      writeToStandardError(
        "graphc: error: \(failed) of \(results.count) gradient\(results.count == 1 ? "" : "s") "
          + "disagree\(failed == 1 ? "s" : "") with finite differences")
      throw ExitCode.failure
    }
  }
}

/// The name a `grad` call defines (`df`), or `grad(f, x) at LINE:COL` when it defines none.
func gradientLabel(_ file: GraphFile, _ site: GradientSite) -> String {
  if let name = file.graph.labels[site.result] { return name }
  let y = file.graph.labels[site.y] ?? "..."
  return "grad(\(y), \(site.name)) at \(site.position.line):\(site.position.column)"
}

/// `--samples N|all`: how many elements of each gradient `check` compares.
enum SampleCount: ExpressibleByArgument, Equatable {
  case count(Int)
  case all

  init?(argument: String) {
    if argument == "all" {
      self = .all
    } else if let n = Int(argument), n >= 0 {
      self = n == 0 ? .all : .count(n)
    } else {
      return nil
    }
  }

  /// The most elements per gradient, nil for every element.
  var limit: Int? {
    switch self {
    case .count(let n): n
    case .all: nil
    }
  }
}

/// `df: worst relative error 3.2e-09 over 64 of 100352 elements (ok)`; a failure adds the
/// values at the worst element.
func checkLine(_ result: GradientCheck.Result) -> String {
  let error = String(format: "%.1e", result.worstError)
  let over =
    switch (result.compared, result.total) {
    case (1, 1): "over 1 element"
    case (let n, let total) where n == total: "over all \(total) elements"
    case (let n, let total): "over \(n) of \(total) elements"
    }
  let line = "\(result.label): worst relative error \(error) \(over)"
  guard !result.passed else { return line + " (ok)" }
  return line
    + " (FAILED: gradient \(formatNumber(result.computed)), finite difference "
    + "\(formatNumber(result.estimated)) at element \(result.worstIndex))"
}

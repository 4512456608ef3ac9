import Foundation
import GraphCompiler
import GraphIR
import GraphTestSupport
import OptimalControl

/// W9: the gradient of the optimal-control example's cost (the unicycle, RK4 over a horizon
/// of 100 intervals as a `scan`), against the adjoint method written by hand in C
/// (`kernels/reference/w9_rk4.c`) and, when Python's `casadi` is installed, CasADi's
/// generated C for the same gradient (made at run time by `Benchmarks/CasADi/w9.py`), one
/// thread, interleaved in the same run. Then the compile time of the same graph for a
/// horizon of 10 and of 1,000: the loop's C does not grow with the horizon, so neither
/// should the time.
struct OptimalControlWorkload {
  let problem = VehicleProblem(horizon: 100)
  /// One gradient takes microseconds: each timed call runs this many.
  let repeats = 200

  /// Seeded controls in the range the solver visits.
  func controls() -> [Double] {
    var rng = SeededGenerator(seed: 13)
    return (0..<problem.controlCount).map { _ in rng.normal() * 0.5 }
  }

  @MainActor func run(_ reference: ReferenceKernels, runs: Int) throws {
    let u = controls()
    let n = problem.horizon
    var handGradient = [Double](repeating: 0, count: u.count)
    var tape = [Double](repeating: 0, count: 12 * n + 4)
    var handCost = 0.0
    let hand: () -> Void = { [problem, repeats] in
      for _ in 0..<repeats {
        handCost = reference.w9(
          u, Int32(n), problem.step, problem.terminalWeight, problem.start, problem.target,
          &handGradient, &tape)
      }
    }
    var bodies: [() throws -> Void] = [hand]
    var names = ["hand C (adjoint RK4, trig kept)"]
    var checks: [() -> String] = [{ "" }]

    let graph = try problem.costAndGradientGraph()
    for (name, ctx) in contexts(graph) {
      try ctx.setInput("u", Tensor(.f64, shape: [n, 2], scalars: u))
      bodies.append { [repeats] in for _ in 0..<repeats { try ctx.run() } }
      names.append(name)
      checks.append {
        let g = ctx.output(at: 1).scalars
        let worst = zip(g, handGradient).map { relativeDifference($0, $1) }.max() ?? 0
        return
          "\(ctx.compiled.kernelCount) kernels; gradient rel. diff \(String(format: "%.1e", worst))"
          + ", cost \(String(format: "%.1e", relativeDifference(ctx.output(at: 0).scalars[0], handCost)))"
      }
    }
    var casadiNote: String?
    do {
      for (kind, function) in try CasADiW9(problem).functions {
        var g = [Double](repeating: 0, count: u.count)
        bodies.append { [repeats] in for _ in 0..<repeats { _ = function(u, &g) } }
        names.append("CasADi's C, \(kind)")
        checks.append {
          let worst = zip(g, handGradient).map { relativeDifference($0, $1) }.max() ?? 0
          return "gradient rel. diff \(String(format: "%.1e", worst))"
        }
      }
    } catch {
      casadiNote = "CasADi: not available (\(error))"
    }
    let times = try interleavedMedianMilliseconds(runs: runs, bodies).map { $0 / Double(repeats) }
    for (k, name) in names.enumerated() {
      let perCall = String(format: "%.2f µs per gradient", times[k] * 1000)
      let note = [perCall, checks[k]()].filter { !$0.isEmpty }.joined(separator: "; ")
      report("W9", name, times[k], vs: k == 0 ? nil : times[0], note: note)
    }
    if let casadiNote, !json { print("     " + casadiNote) }

    // Compile time, Swift definition to callable code, for horizons 10 and 1,000. The system
    // compiler's cache would make every run after the first a lookup: each cc compile gets
    // a cache folder of its own.
    let caches = FileManager.default.temporaryDirectory.appendingPathComponent(
      "gc-w9-cache-\(getpid())")
    let previous = ProcessInfo.processInfo.environment["GRAPHC_CACHE_DIR"]
    defer {
      if let previous {
        setenv("GRAPHC_CACHE_DIR", previous, 1)
      } else {
        unsetenv("GRAPHC_CACHE_DIR")
      }
      try? FileManager.default.removeItem(at: caches)
    }
    var fresh = 0
    for backend in [Backend.tcc, .cc] {
      // The two horizons alternate, one compile of each per round, so a burst of load from
      // the rest of the machine falls on both; TinyCC's compiles are milliseconds and get
      // more rounds.
      let compiles = [10, 1000].map { horizon in
        var p = problem
        p.horizon = horizon
        return {
          fresh += 1
          setenv("GRAPHC_CACHE_DIR", caches.appendingPathComponent("\(fresh)").path, 1)
          _ = try Pipeline.compile(
            p.costAndGradientGraph(), options: CompileOptions(backend: backend))
        }
      }
      let medians = try interleavedMedianMilliseconds(
        runs: backend == .tcc ? max(21, 3 * runs) : max(5, runs), compiles)
      report("W9", "compile, horizon 10, graphc \(backend)", medians[0], vs: nil)
      report(
        "W9", "compile, horizon 1000, graphc \(backend)", medians[1], vs: medians[0],
        note: "vs horizon 10; target <= 1.2x")
    }
  }
}

/// CasADi's generated C for W9, built with the system compiler and loaded: the horizon as
/// `mapaccum` (a loop of calls to the step) and expanded to scalar code.
struct CasADiW9 {
  typealias Gradient =
    @convention(c) (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Double
  var functions: [(String, Gradient)] = []

  init(_ problem: VehicleProblem) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "gc-casadi-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let script = packageRoot().appendingPathComponent("Benchmarks/CasADi/w9.py").path
    let list = { (v: [Double]) in v.map { "\($0)" }.joined(separator: ",") }
    let generate = try runProcess(
      "/usr/bin/env",
      [
        "python3", script, folder.path, "\(problem.horizon)", "\(problem.duration)",
        "\(problem.terminalWeight)", list(problem.start), list(problem.target),
      ])
    guard generate.status == 0 else {
      throw BenchmarkError(generate.output.split(separator: "\n").last.map(String.init) ?? "")
    }
    let library = folder.appendingPathComponent("w9_casadi.so").path
    let compiler = ProcessInfo.processInfo.environment["CC"] ?? "cc"
    let build = try runProcess(
      "/usr/bin/env",
      [
        compiler, "-O3", "-march=native", "-shared", "-fPIC", "-o", library,
        folder.appendingPathComponent("w9_casadi.c").path, "-lm",
      ])
    guard build.status == 0 else { throw BenchmarkError("building CasADi's C failed") }
    guard let handle = dlopen(library, RTLD_NOW) else { throw BenchmarkError("dlopen failed") }
    for kind in ["mx", "sx"] {
      guard let p = dlsym(handle, "casadi_w9_\(kind)") else {
        throw BenchmarkError("missing casadi_w9_\(kind)")
      }
      let label = kind == "mx" ? "mapaccum, cc -O3" : "SX expanded, cc -O3"
      functions.append((label, unsafeBitCast(p, to: Gradient.self)))
    }
  }
}

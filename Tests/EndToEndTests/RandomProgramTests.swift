import Foundation
import GraphIR
import GraphLanguage
import GraphTestSupport
import Synchronization
import Testing

@testable import GraphCompiler

/// Seeded random `.graph` programs (`RandomProgram`), each checked three ways:
/// - every `grad(y, x)` against central finite differences of the program's text
///   (`SourceGradientOracle`: `x` perturbed where it is defined, the interpreter evaluating);
/// - every output of the TinyCC kernels against the interpreter;
/// - on every `ccEvery`-th seed, the same with the system C compiler (`--backend cc`).
///
/// Compiled and interpreted outputs agree when `|a - b| / max(1, |a|, |b|) <= 1e-9`: the
/// kernels sum in other orders, use OpenBLAS for `@` and (with cc) the few-ulp exp/log/tanh
/// of fastmath.h, and values pass through a few dozen operations, so 1e-9 leaves a margin of
/// about 1e5 over rounding while any wrong index or rule is off by far more.
///
/// `GRAPHC_RANDOM_PROGRAMS` (default 400) and `GRAPHC_RANDOM_SEED` (the first seed, default
/// 1) choose the programs; `GRAPHC_RANDOM_CC_EVERY` (default 20, 0 for never) how often cc
/// runs; `GRAPHC_RANDOM_PRINT` (any value) prints every program. A failure prints the seed,
/// the program and its values, to rerun it alone with
/// `GRAPHC_RANDOM_SEED=1234 GRAPHC_RANDOM_PROGRAMS=1 swift test --filter RandomProgramTests`.
/// A summary line gives the counts: checks, zero gradients, unstable (skipped) checks,
/// disagreements excused on a kink (each listed), outputs compared, the slowest seeds.
@Suite struct RandomProgramTests {
  static let environment = ProcessInfo.processInfo.environment
  static let count = environment["GRAPHC_RANDOM_PROGRAMS"].flatMap { Int($0) } ?? 400
  static let firstSeed = environment["GRAPHC_RANDOM_SEED"].flatMap { UInt64($0) } ?? 1
  static let ccEvery = environment["GRAPHC_RANDOM_CC_EVERY"].flatMap { UInt64($0) } ?? 20

  /// What one program showed.
  struct Outcome {
    var failures: [String] = []
    var checks = 0
    var unstable = 0
    /// Checks of a gradient that is zero (y does not depend on x), where both sides are 0.
    var zero = 0
    /// Disagreements at a point on a kink (see `KinkScan`), where conventions and rounding
    /// decide and neither side is wrong.
    var excused: [String] = []
    var outputs = 0
    var usedCC = false
    var seconds = 0.0
  }

  @Test func randomProgramsAgreeWithFiniteDifferencesAndTheInterpreter() throws {
    let started = Date()
    let cache = FileManager.default.temporaryDirectory.appendingPathComponent(
      "graphc-random-programs-\(getpid())")
    defer { try? FileManager.default.removeItem(at: cache) }
    var configuration = SystemCC.Configuration.current
    configuration.cacheDirectory = cache.path
    let systemCC = configuration

    // The programs are independent: one worker per core, each taking every n-th seed.
    let seeds = Array(Self.firstSeed..<(Self.firstSeed + UInt64(Self.count)))
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, seeds.count))
    let outcomes = Mutex([UInt64: Outcome]())
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      for seed in stride(from: worker, to: seeds.count, by: workers).map({ seeds[$0] }) {
        let start = Date()
        var outcome = Self.examine(seed: seed, systemCC: systemCC)
        outcome.seconds = Date().timeIntervalSince(start)
        outcomes.withLock { $0[seed] = outcome }
      }
    }

    let all = outcomes.withLock { $0 }
    for seed in seeds {
      for failure in all[seed]?.failures ?? [] {
        print(failure)
        Issue.record("\(failure)")
      }
    }
    // Listed, so a run shows what the kink rule let pass.
    for seed in seeds { for line in all[seed]?.excused ?? [] { print(line) } }
    let values = Array(all.values)
    let failed = values.filter { !$0.failures.isEmpty }.count
    print(
      "random programs: \(seeds.count) from seed \(Self.firstSeed), \(failed) failed; "
        + "\(values.map(\.checks).reduce(0, +)) grad checks "
        + "(\(values.map(\.zero).reduce(0, +)) of a zero gradient, "
        + "\(values.map(\.unstable).reduce(0, +)) skipped as unstable), "
        + "\(values.map(\.excused.count).reduce(0, +)) disagreements excused on a kink, "
        + "\(values.map(\.outputs).reduce(0, +)) outputs compared with TinyCC, "
        + "\(values.filter(\.usedCC).count) programs also with cc; "
        + String(format: "%.1f s", Date().timeIntervalSince(started)) + "; slowest: "
        + all.sorted { $0.value.seconds > $1.value.seconds }.prefix(3).map {
          "seed \($0.key) " + String(format: "%.2f s", $0.value.seconds)
        }.joined(separator: ", "))
  }

  /// Generates, parses, checks and compiles the program of `seed`.
  static func examine(seed: UInt64, systemCC: SystemCC.Configuration) -> Outcome {
    let program = RandomProgram.generate(seed: seed)
    if environment["GRAPHC_RANDOM_PRINT"] != nil {
      print("# seed \(seed)\n\(program.source)# \(program.setArguments)")
    }
    var outcome = Outcome()
    func fail(_ what: String) {
      outcome.failures.append(
        "random program \(seed): \(what)\n--- random.graph\n\(program.source)---\n"
          + "reproduce: GRAPHC_RANDOM_SEED=\(seed) GRAPHC_RANDOM_PROGRAMS=1 swift test "
          + "--filter RandomProgramTests, or graphc check random.graph \(program.setArguments)")
    }
    do {
      let file = try GraphParser.parseFile(program.source, fileName: "random.graph")
      let nodes = try Interpreter.evaluate(file.graph, program.values)
      let checks = try SourceGradientOracle.check(
        source: program.source, file: file, values: program.values, nodes: nodes, seed: seed)
      let kinks = KinkScan(file.graph, nodes)
      outcome.checks = checks.count
      outcome.unstable = checks.filter { $0.verdict == .unstable }.count
      outcome.zero = checks.filter { $0.computed == 0 && $0.estimate == 0 }.count
      if environment["DEBUGZERO"] != nil {
        for c in checks where c.computed == 0 && c.estimate == 0 {
          print("ZERO \(seed) \(c.label)")
        }
      }
      for check in checks where check.verdict == .disagrees {
        if kinks.reaches(check.site.y) || kinks.reaches(check.site.result) {
          outcome.excused.append("random program \(seed), on a kink: \(check)")
        } else {
          fail(check.description)
        }
      }

      var expected: [String: Tensor] = [:]
      for output in file.graph.outputs { expected[output.name] = nodes[output.node.index] }
      func compareOutputs(of compiled: CompiledGraph, _ backend: String) throws {
        let got = try compiled.run(program.values)
        for output in file.graph.outputs {
          guard let failure = difference(got[output.name], expected[output.name]) else {
            continue
          }
          // A kink explains a different branch taken on values equal up to rounding, never
          // a NaN or an infinity the interpreter does not have.
          let finite = { (t: Tensor?) in t?.scalars.allSatisfy(\.isFinite) ?? false }
          let sameFiniteness = finite(got[output.name]) == finite(expected[output.name])
          if sameFiniteness, kinks.reaches(output.node) {
            outcome.excused.append(
              "random program \(seed), on a kink: \(backend) output \(output.name) \(failure)")
          } else {
            fail("\(backend): output \(output.name) \(failure)")
          }
        }
      }
      try compareOutputs(of: try Pipeline.compile(file.graph), "TinyCC")
      outcome.outputs = expected.count
      if ccEvery > 0, seed % ccEvery == 0 {
        let cc = try Pipeline.compile(
          file.graph, options: CompileOptions(backend: .cc), systemCC: systemCC)
        if cc.activeBackend != .cc { fail("cc: fell back to TinyCC: \(cc.warnings)") }
        try compareOutputs(of: cc, "cc")
        outcome.usedCC = true
      }
    } catch {
      fail("\(error)")
    }
    return outcome
  }

  /// How `got` differs from the interpreter's `expected` by more than 1e-9 (relative above
  /// 1), or nil.
  static func difference(_ got: Tensor?, _ expected: Tensor?) -> String? {
    guard let g = got, let e = expected else { return "is missing" }
    let error = worstError(g, e)
    guard error > 1e-9 else { return nil }
    return "is \(g.scalars) (shape \(g.shape)), the interpreter says \(e.scalars) "
      + "(shape \(e.shape)): error \(error)"
  }
}

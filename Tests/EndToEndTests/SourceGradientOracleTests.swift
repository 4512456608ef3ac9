import GraphIR
import GraphLanguage
import GraphTestSupport
import Testing

/// The oracle of the random-program test, on programs small enough to know the answer:
/// it must agree with right gradients, flag a wrong one, see kinks, and read aliases and
/// named numbers the way the language defines them.
@Suite struct SourceGradientOracleTests {
  static func checks(
    _ source: String, _ values: [String: Tensor], corrupting: Int? = nil
  ) throws -> [SourceGradientOracle.Check] {
    let file = try GraphParser.parseFile(source, fileName: "t.graph")
    var nodes = try Interpreter.evaluate(file.graph, values)
    if let k = corrupting {
      let id = file.gradients[k].result
      // Wrong by 1% (or 0.01) in one element: the direction weighs it by at least 0.5.
      nodes[id.index].scalars[0] += 0.01 * max(1, abs(nodes[id.index].scalars[0]))
    }
    return try SourceGradientOracle.check(
      source: source, file: file, values: values, nodes: nodes, seed: 1)
  }

  static let program = """
    input x: f64[3]
    param w: f64[3, 2]
    t = 0.5
    a = tanh(x @ w)
    z = a
    l = sum(z ^ 2) * t
    w1 = w - 0.1 * grad(l, w)
    l1 = sum(tanh(x @ w1) ^ 2)
    g1 = grad(l1, w)
    g2 = grad(l, z)
    g3 = grad(l1, t)
    g4 = grad(sum(grad(l, x) * x), x)
    output g1, g2, g3, g4
    """
  static let values: [String: Tensor] = [
    "x": Tensor(.f64, shape: [3], scalars: [0.3, -0.7, 1.1]),
    "w": Tensor(.f64, shape: [3, 2], scalars: [0.5, -0.2, 0.8, 0.1, -0.4, 0.9]),
  ]

  @Test func agreesWithRightGradients() throws {
    let checks = try Self.checks(Self.program, Self.values)
    #expect(checks.count == 6)
    for check in checks { #expect(check.verdict == .agrees, "\(check)") }
  }

  @Test(arguments: 0..<6) func flagsAWrongGradient(_ k: Int) throws {
    let checks = try Self.checks(Self.program, Self.values, corrupting: k)
    #expect(checks.filter { $0.verdict == .disagrees }.map(\.site) == [checks[k].site])
  }

  @Test func perturbsTheEndOfAnAliasChain() throws {
    // z = a: grad(l, z) perturbs a's definition, so l = t * sum(a^2) gives 2 t a.
    let checks = try Self.checks(Self.program, Self.values)
    #expect(checks.contains { $0.label.hasPrefix("grad(l, z)") && $0.verdict == .agrees })
  }

  @Test func skipsAKinkAtThePoint() throws {
    // relu at exactly 0: the gradient is 0 by convention, central differences see 1/2.
    let source = "input x\nd = x - x\nl = relu(d) + d\ng = grad(l, d)\noutput g\n"
    let checks = try Self.checks(source, ["x": Tensor(0.7)])
    #expect(checks.map(\.verdict) == [.unstable])
  }
}

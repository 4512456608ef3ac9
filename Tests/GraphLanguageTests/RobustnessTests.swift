import GraphIR
import GraphLanguage
import Testing

/// Hostile input: deep nesting, long files and long lines end in an answer or a located
/// error, never a crash. (Speed is measured outside the tests, not asserted here.)
@Suite struct RobustnessTests {
  static let tooDeep = "expression nested too deeply (more than \(1000) levels)"

  @Test func hundredThousandParenthesesIsAnError() {
    let source = "f = " + String(repeating: "(", count: 100_000) + "1"
    #expect(diagnostic(source) == "t.graph:1:1005: error: \(Self.tooDeep)")
  }

  @Test func hundredThousandMinusesIsAnError() {
    let source = "f = " + String(repeating: "-", count: 100_000) + "1"
    #expect(diagnostic(source) == "t.graph:1:1005: error: \(Self.tooDeep)")
  }

  @Test func longPowerTowerIsAnError() {
    let source = "f = " + String(repeating: "1^", count: 100_000) + "1"
    #expect(diagnostic(source)?.hasSuffix(Self.tooDeep) == true)
  }

  @Test func nestedCallsAreAnError() {
    let source = "input x\nf = " + String(repeating: "exp(", count: 100_000) + "x"
    #expect(diagnostic(source)?.hasSuffix(Self.tooDeep) == true)
  }

  @Test func nestingJustUnderTheLimitParses() throws {
    let depth = 999
    let source =
      "input x\nf = " + String(repeating: "(", count: depth) + "x + 1"
      + String(repeating: ")", count: depth) + "\noutput f"
    #expect(try scalar(source, ["x": Tensor(1)]) == 2)
  }

  @Test func longFlatSumUsesNoStack() throws {
    let source = "input x\nf = x" + String(repeating: " + x", count: 20_000) + "\noutput f"
    #expect(try scalar(source, ["x": Tensor(1)]) == 20_001)
  }

  /// 3,000 lines of `x{k} = x{k-1} * 1.0001 + 0.5`, checked against the same recurrence
  /// computed directly (same operations in the same order, so exactly equal).
  @Test func threeThousandLineChain() throws {
    let source = chainSource(lines: 3_000)
    let graph = Simplify.run(try GraphParser.parse(source))
    var expected = 0.25
    for _ in 0..<3_000 { expected = expected * 1.0001 + 0.5 }
    #expect(try Interpreter.run(graph, ["x0": Tensor(0.25)])["x3000"] == Tensor(expected))
  }

  @Test func unusualNamesAndLongIdentifiers() throws {
    let name = "_" + String(repeating: "a1", count: 5_000)
    #expect(try evaluate("input \(name)\noutput \(name)", [name: Tensor(3)])[name] == Tensor(3))
  }
}

/// A file that defines a chain of `lines` values, each from the one before.
func chainSource(lines: Int) -> String {
  var text = "input x0\n"
  for k in 1...lines { text += "x\(k) = x\(k - 1) * 1.0001 + 0.5\n" }
  return text + "output x\(lines)\n"
}

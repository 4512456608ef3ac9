import GraphIR
import GraphLanguage
import Testing

/// The precedence table of the contract, checked on values worked out by hand.
@Suite struct PrecedenceTests {
  @Test(arguments: [
    ("2 + 3 * 4", 14.0),
    ("(2 + 3) * 4", 20),
    ("10 - 4 - 3", 3),
    ("8 / 4 / 2", 1),
    ("2 * 3 ^ 2", 18),
    ("2 ^ 3 ^ 2", 512),
    ("2^-1", 0.5),
    ("-2^2", -4),
    ("(-2)^2", 4),
    ("- - 3", 3),
    ("2^-1^2", 0.5),
    ("1 + 1 < 3", 1),
    ("3 < 1 + 1", 0),
    ("1 < 2 == 1", 1),
    ("2 * -3", -6),
    ("3 + 2.5 + 1e-3 + .5 + 5. + 2E2", 211.001),
  ])
  func literalExpression(source: String, expected: Double) throws {
    #expect(close(try scalar("f = \(source)\noutput f"), expected))
  }

  @Test func unaryMinusBindsLooserThanPower() throws {
    #expect(try scalar("input x\nf = -x^2\noutput f", ["x": Tensor(3)]) == -9)
  }

  @Test(arguments: [
    ("x < 2", 0.0), ("x <= 3", 1), ("x > 2", 1), ("x >= 4", 0), ("x == 3", 1), ("x != 3", 0),
  ])
  func comparisons(source: String, expected: Double) throws {
    #expect(try scalar("input x\nf = \(source)\noutput f", ["x": Tensor(3)]) == expected)
  }

  @Test func seedQuadraticIsSeventeenAtTwo() throws {
    #expect(try scalar("input x\nf = 3*x^2 + 2*x + 1\noutput f", ["x": Tensor(2)]) == 17)
  }

  @Test func literalOnlyExpressionIsF64() throws {
    let graph = try GraphParser.parse("f = 2^-1\noutput f")
    #expect(graph[graph.outputs[0].node].type == .scalar(.f64))
  }

  @Test func literalTakesTheDtypeItMeets() throws {
    let graph = try GraphParser.parse("input x: f32[2]\nlr = 0.1\nf = x * lr + 2^-1\noutput f")
    #expect(graph[graph.outputs[0].node].type == TensorType(.f32, [2]))
    let out = try Interpreter.run(graph, ["x": Tensor(.f32, shape: [2], scalars: [1, 2])])
    #expect(
      out["f"]
        == Tensor(.f32, shape: [2], scalars: [Double(Float(0.1) + 0.5), Double(Float(0.2) + 0.5)]))
  }

  @Test func matmulBindsLikeMultiplication() throws {
    let source = "input a: f64[2, 2]\ninput v: f64[2]\nf = 2 * a @ v + 1\noutput f"
    let out = try evaluate(
      source, ["a": tensor([2, 2], [1, 2, 3, 4]), "v": tensor([2], [1, -1])])
    // (2a) @ v = [2 - 4, 6 - 8] = [-2, -2], plus 1
    #expect(out["f"] == tensor([2], [-1, -1]))
  }
}

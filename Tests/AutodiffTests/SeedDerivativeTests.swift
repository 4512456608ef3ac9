import Autodiff
import GraphIR
import GraphTestSupport
import Testing

/// The hand-computed seed examples, through the interpreter.
@Suite struct SeedDerivativeTests {
  /// Evaluates named values of a scalar graph at `x` (and other inputs).
  func run(_ g: GraphBuilder, _ values: KeyValuePairs<String, Value>, _ inputs: [String: Double])
    throws -> [String: Double]
  {
    g.outputs(values)
    let out = try Interpreter.run(g.graph, inputs.mapValues { Tensor($0) })
    return out.compactMapValues(\.scalar)
  }

  @Test func quadraticValueAndSlope() throws {
    let g = GraphBuilder()
    let x = try g.input("x")
    let f = try 3 * x ** 2 + 2 * x + 1
    let out = try run(g, ["f": f, "df": try grad(f, x), "d2f": try grad(grad(f, x), x)], ["x": 2])
    #expect(out == ["f": 17, "df": 14, "d2f": 6])
  }

  @Test func squaredErrorSlopeIsMinus24() throws {
    let g = GraphBuilder()
    let w = try g.param("w", initializer: .fill(2))
    let input = try g.input("input")
    let target = try g.input("target")
    let loss = try (w * input - target) ** 2
    let out = try run(g, ["dw": try grad(loss, w)], ["input": 3, "target": 10])
    #expect(out["dw"] == -24)
  }
}

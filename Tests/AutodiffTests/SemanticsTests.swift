import Autodiff
import Foundation
import GraphIR
import GraphTestSupport
import Testing

/// What a gradient means at the edges: defined values, missing dependence, kinks, IEEE values.
@Suite struct SemanticsTests {
  func scalars(
    _ g: GraphBuilder, _ outputs: KeyValuePairs<String, Value>, _ inputs: [String: Double]
  )
    throws -> [String: Double]
  {
    g.outputs(outputs)
    return try Interpreter.run(g.graph, inputs.mapValues { Tensor($0) }).compactMapValues(\.scalar)
  }

  /// w1 = w0 - 0.5 * grad(l0, w0), w2 = w1 - 0.5 * grad(l1, w1), with l = (3w - 10)^2.
  @Test func unrolledGradientDescent() throws {
    let g = GraphBuilder()
    let w0 = try g.param("w0", initializer: .fill(2))
    func loss(_ w: Value) throws -> Value { try (w * 3 - 10) ** 2 }
    let l0 = try loss(w0)
    let w1 = try w0 - 0.5 * grad(l0, w0)
    let l1 = try loss(w1)
    let g1 = try grad(l1, w1)
    let w2 = try w1 - 0.05 * g1
    // Through the whole unrolled step: dl1/dw0 = dl1/dw1 * dw1/dw0 = g1 * (1 - 0.5 * 18).
    let total = try grad(l1, w0)
    let out = try scalars(g, ["w1": w1, "g1": g1, "w2": w2, "total": total], [:])
    #expect(out["w1"] == 14)  // 2 - 0.5 * (-24)
    #expect(out["g1"] == 192)  // 2 * (3*14 - 10) * 3, w1 held as an independent variable
    #expect(out["w2"] == 14 - 0.05 * 192)
    #expect(out["total"] == -1536.0)
  }

  /// A use of a value stays a use of it while the graph is built: sigmoid's `-w1` is not
  /// rewritten to `(-0.9)*w0` before the gradient with respect to `w1` is taken.
  @Test func gradientWithRespectToAProductThroughSigmoid() throws {
    let g = GraphBuilder()
    let w0 = try g.input("w0", shape: [4])
    let w1 = try w0 * 0.9
    let slope = try grad(sum(sigmoid(w1)), w1)
    g.outputs(["slope": slope])
    let simplified = Simplify.run(g.graph)
    let w = Tensor(shape: [4], scalars: [1, 2, 3, 4])
    for graph in [g.graph, simplified] {
      let got = try #require(try Interpreter.run(graph, ["w0": w])["slope"])
      for (value, wi) in zip(got.scalars, w.scalars) {
        let s = 1 / (1 + exp(-0.9 * wi))
        #expect(abs(value - s * (1 - s)) < 1e-15)
      }
    }
  }

  @Test func definedValueGradientPassesTheGradientCheck() throws {
    let g = GraphBuilder()
    let x = try g.input("x", shape: [3])
    let h = try tanh(x * 2)
    let y = try sum(h * h * x)
    let dh = try grad(y, h)
    let results = try GradientCheck.run(
      g.graph, cases: [GradientCheck.Case(y: y.id, x: h.id, gradient: dh.id, label: "grad(y, h)")],
      inputs: ["x": sampleTensor([3])], evaluate: Interpreter.run)
    #expect(results.count == 1 && results[0].passed, "\(results)")
  }

  @Test func inputThatDoesNotReachTheOutputHasAnExactZeroGradient() throws {
    let g = GraphBuilder()
    let x = try g.input("x", shape: [2, 3])
    let unused = try g.input("unused", .f32, shape: [4])
    let y = try sum(x * x)
    let later = try g.input("later")
    let grads = try gradient(of: y.id, withRespectTo: [unused.id, later.id], in: g)
    #expect(g[grads[0]].op == .constant(Constant(0)) && g.type(grads[0]) == unused.type)
    #expect(g[grads[1]].op == .constant(Constant(0)) && g.type(grads[1]) == later.type)
  }

  @Test func gradientOfANonScalarIsAnError() throws {
    let g = GraphBuilder()
    let x = try g.input("x", shape: [3])
    #expect(throws: GraphError.notScalar(op: "grad", type: x.type)) { try grad(x * 2, x) }
    #expect(
      "\(GraphError.notScalar(op: "grad", type: x.type))" == "'grad' needs a scalar, got f64[3]")
  }

  @Test func gradientWithRespectToTheOutputItselfIsOne() throws {
    let g = GraphBuilder()
    let x = try g.input("x")
    let y = try sin(x)
    #expect(try scalars(g, ["d": try grad(y, y)], ["x": 1]) == ["d": 1])
  }

  struct Kink: CustomTestStringConvertible, Sendable {
    let name: String
    let f: @Sendable (Value, Value) throws -> Value
    let at: (Double, Double)
    let expected: (Double, Double)
    var testDescription: String { name }
  }

  static let kinks: [Kink] = [
    Kink(name: "relu'(0) = 0", f: { x, _ in try relu(x) }, at: (0, 0), expected: (0, 0)),
    Kink(name: "abs'(0) = 0", f: { x, _ in try abs(x) }, at: (0, 0), expected: (0, 0)),
    Kink(name: "abs'(-2) = -1", f: { x, _ in try abs(x) }, at: (-2, 0), expected: (-1, 0)),
    Kink(name: "max tie", f: { x, y in try max(x, y) }, at: (1, 1), expected: (0.5, 0.5)),
    Kink(name: "min tie", f: { x, y in try min(x, y) }, at: (1, 1), expected: (0.5, 0.5)),
    Kink(name: "max(x, x)", f: { x, _ in try max(x, x) }, at: (3, 0), expected: (1, 0)),
    Kink(name: "max no tie", f: { x, y in try max(x, y) }, at: (1, 2), expected: (0, 1)),
    // 0^y is 0 for every y > 0 and x^0 is 1 for every x: derivative 0, not 0 * log(0) or
    // 0 * 0^-1 (NaN), as in PyTorch and JAX (found by the fuzzer: grad(3*0^x + 2*x, x)).
    Kink(name: "pow at base 0", f: { x, y in try x ** y }, at: (0, 2), expected: (0, 0)),
    Kink(name: "pow at 0^0", f: { x, y in try x ** y }, at: (0, 0), expected: (0, 0)),
    Kink(
      name: "pow at exponent 0", f: { x, y in try x ** y }, at: (3, 0),
      expected: (0, 1.0986122886681098)),
    Kink(
      name: "comparison", f: { x, y in try select(x.map { b, id in try b.less(id, y.id) }, x, y) },
      at: (1, 2), expected: (1, 0)),
  ]

  @Test(arguments: kinks) func derivativesAtKinks(_ k: Kink) throws {
    let g = GraphBuilder()
    let x = try g.input("x")
    let y = try g.input("y")
    let f = try k.f(x, y)
    let out = try scalars(
      g, ["dx": try grad(f, x), "dy": try grad(f, y)], ["x": k.at.0, "y": k.at.1])
    #expect(out["dx"] == k.expected.0 && out["dy"] == k.expected.1)
  }

  @Test func reduceMaxSplitsTiesEqually() throws {
    let g = GraphBuilder()
    let x = try g.input("x", shape: [4])
    let d = try grad(reduceMax(x), x)
    g.outputs(["d": d])
    let out = try Interpreter.run(g.graph, ["x": Tensor(shape: [4], scalars: [1, 3, -2, 3])])
    #expect(out["d"] == Tensor(shape: [4], scalars: [0, 0.5, 0, 0.5]))
  }

  @Test func nanAndInfinityPropagate() throws {
    let g = GraphBuilder()
    let x = try g.input("x")
    let y = try g.input("y")
    let out = try scalars(
      g,
      [
        "sqrt'(0)": try grad(sqrt(x), x), "log'(0)": try grad(log(x), x),
        "d(x*y)/dx, y=nan": try grad(x * log(y - 3), x), "d(x*0)/dx": try grad(x * 0, x),
        "d(x^0.5)/dx at 0": try grad(x ** 0.5, x),
      ], ["x": 0, "y": 2])
    #expect(out["sqrt'(0)"] == .infinity)
    #expect(out["log'(0)"] == .infinity)
    #expect(out["d(x*y)/dx, y=nan"]?.isNaN == true)
    #expect(out["d(x*0)/dx"] == 0)
    #expect(out["d(x^0.5)/dx at 0"] == .infinity)
  }

  @Test func userWrittenZeroProductsAreNotFolded() throws {
    let g = GraphBuilder()
    let x = try g.input("x")
    let f = try x * 0 + (x - x)
    #expect(try scalars(g, ["f": f], ["x": .infinity])["f"]?.isNaN == true)
  }
}

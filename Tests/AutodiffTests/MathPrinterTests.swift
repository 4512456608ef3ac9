import Autodiff
import GraphIR
import Testing

/// Parentheses, signs and layout of the readable math form.
@Suite struct MathPrinterTests {
  struct Formula: CustomTestStringConvertible, Sendable {
    let f: @Sendable (Value, Value) throws -> Value
    let expected: String
    var testDescription: String { expected }
  }

  static let formulas: [Formula] = [
    Formula(f: { x, y in try (x + y) * (x - y) }, expected: "(x + y)*(x - y)"),
    Formula(f: { x, y in try y - (x - y) }, expected: "2*y - x"),
    Formula(f: { x, y in try x / (y * exp(x)) }, expected: "x/(y*exp(x))"),
    Formula(f: { x, y in try (x / y) / exp(x) }, expected: "x/(y*exp(x))"),
    Formula(f: { x, y in try (x + y) / (x - y) }, expected: "(x + y)/(x - y)"),
    Formula(f: { x, _ in try 2 * x * (1 / (x ** 2 + 1)) }, expected: "2*x/(x^2 + 1)"),
    // Integer powers of one base combine and cancel; the order is declaration order.
    Formula(f: { x, y in try x / (y * x) }, expected: "1/y"),
    Formula(f: { x, y in try (x / y) / x }, expected: "1/y"),
    Formula(f: { x, _ in try x * sin(x) / x ** 4 }, expected: "sin(x)/x^3"),
    Formula(f: { x, y in try x * x ** 2 * y }, expected: "x^3*y"),
    Formula(f: { x, y in try (x ** 2) ** 2 / y }, expected: "x^4/y"),
    Formula(f: { x, y in try y * 3 * x }, expected: "3*x*y"),
    Formula(f: { x, y in try x ** y * x }, expected: "x*x^y"),
    Formula(f: { x, _ in try x ** (x - 1 - 1) }, expected: "x^(x - 2)"),
    Formula(f: { x, _ in try 1 / x + 1 / x }, expected: "2/x"),
    Formula(f: { x, _ in try 3 * x + 3 * x }, expected: "6*x"),
    Formula(f: { x, y in try (x + y) ** 2 }, expected: "(x + y)^2"),
    Formula(f: { x, y in try x ** (y ** 2) }, expected: "x^y^2"),
    Formula(f: { x, y in try (x ** y) ** 2 }, expected: "(x^y)^2"),
    Formula(f: { x, _ in try -(x ** 2) }, expected: "-x^2"),
    Formula(f: { x, _ in try (-x) ** 2 }, expected: "(-x)^2"),
    Formula(f: { x, y in try x + -y }, expected: "x - y"),
    Formula(f: { x, y in try x - -y }, expected: "x + y"),
    Formula(f: { x, y in try x + (-2) * y }, expected: "x - 2*y"),
    Formula(f: { x, y in try -(x - y) }, expected: "y - x"),
    Formula(f: { x, _ in try x * 1 + 0 }, expected: "x"),
    Formula(f: { x, _ in try x ** 1 / 1 }, expected: "x"),
    Formula(f: { x, _ in try x ** 0 }, expected: "1"),
    Formula(f: { x, _ in try -(-x) }, expected: "x"),
    Formula(f: { x, _ in try x + x }, expected: "2*x"),
    Formula(f: { x, _ in try x * 0 }, expected: "0*x"),
    Formula(f: { x, _ in try x - x }, expected: "x - x"),
    Formula(f: { x, _ in try 0.5 * (4 * x) }, expected: "2*x"),
    // Printed constants are multiplied and added as real numbers (the graph keeps 3*(3*x),
    // which rounds twice; the reader sees the math).
    Formula(f: { x, _ in try 3 * (3 * x) }, expected: "9*x"),
    Formula(f: { x, _ in try x - 1 - 1 }, expected: "x - 2"),
    Formula(f: { x, _ in try x - 1 + 1 }, expected: "x"),
    Formula(f: { x, _ in try x / 4 }, expected: "0.25*x"),
    Formula(f: { x, _ in try 2 * 3 + x * 1e-7 }, expected: "1e-07*x + 6"),
    Formula(f: { x, y in try max(x, y) * exp(-x) }, expected: "max(x, y)*exp(-x)"),
  ]

  @Test(arguments: formulas) func printsWithMinimalParentheses(_ e: Formula) throws {
    let g = GraphBuilder()
    let x = try g.input("x")
    let y = try g.input("y")
    g.outputs(["f": try e.f(x, y)])
    #expect(mathText(Simplify.run(g.graph)) == ["f = \(e.expected)"])
  }

  @Test func tensorOpsGetTheirOwnLines() throws {
    let g = GraphBuilder()
    let a = try g.input("a", shape: [2, 3])
    let v = try g.input("v", shape: [3])
    let s = try sum(a * v, axes: [1])
    let m = try reduceMax(transpose(a), axes: [0])
    let top = try a[.range(nil, 1), .range(1, nil)]
    g.outputs(["s": s, "m": m, "top": top, "mv": try matmul(a, v) + s])
    #expect(
      mathText(Simplify.run(g.graph)) == [
        "t9 = a @ reshape(v, [3, 1])",
        "s = sum(a*v, 1)",
        "m = reduce_max(transpose(a), 0)",
        "top = a[0:1, 1:3]",
        "mv = s + reshape(t9, [2])",
      ])
  }

  @Test func multiLayerPerceptronGradientIsReadable() throws {
    let m = GraphBuilder()
    let x = try m.input("x", shape: [4, 3])
    let w1 = try m.param("w1", shape: [3, 5])
    let w2 = try m.param("w2", shape: [5, 2])
    let t = try m.input("onehot", shape: [4, 2])
    let loss = try crossEntropy(logits: matmul(relu(matmul(x, w1)), w2), onehot: t)
    m.outputs(["loss": loss, "dw1": try grad(loss, w1)])
    let lines = mathText(Simplify.run(m.graph))
    #expect(lines.suffix(2).map { $0.prefix(6) } == ["loss =", "dw1 = "])
    #expect(lines.last?.hasPrefix("dw1 = transpose(x) @ where(") == true, "\(lines)")
    #expect(lines.count < 20, "\(lines)")
  }
}

import Autodiff
import GraphIR
import Testing

/// The printed (simplified) forms of the seed derivatives.
@Suite struct PrintedDerivativeTests {
  /// One scalar function of x (and y), differentiated with respect to `wrt`, printed.
  struct Example: CustomTestStringConvertible, Sendable {
    let name: String
    let f: @Sendable (Value, Value) throws -> Value
    let wrt: Int
    let expected: String
    var testDescription: String { name }
  }

  static let examples: [Example] = [
    Example(name: "power", f: { x, _ in try x ** 3 }, wrt: 0, expected: "3*x^2"),
    Example(
      name: "quadratic", f: { x, _ in try 3 * x ** 2 + 2 * x + 1 }, wrt: 0, expected: "6*x + 2"),
    Example(
      name: "product", f: { x, _ in try x ** 2 * exp(x) }, wrt: 0,
      expected: "x^2*exp(x) + 2*x*exp(x)"),
    Example(
      name: "partial x", f: { x, y in try x ** 2 + 3 * x * y + y ** 2 }, wrt: 0,
      expected: "2*x + 3*y"),
    Example(
      name: "partial y", f: { x, y in try x ** 2 + 3 * x * y + y ** 2 }, wrt: 1,
      expected: "3*x + 2*y"),
    Example(
      name: "quotient", f: { x, _ in try sin(x) / x }, wrt: 0, expected: "cos(x)/x - sin(x)/x^2"),
    Example(name: "chain", f: { x, _ in try sin(x ** 2) }, wrt: 0, expected: "2*x*cos(x^2)"),
    Example(name: "cos", f: { x, _ in try cos(x) }, wrt: 0, expected: "-sin(x)"),
    Example(name: "square", f: { x, _ in try x * x }, wrt: 0, expected: "2*x"),
    Example(name: "difference", f: { x, y in try x - 2 * y }, wrt: 1, expected: "-2"),
    Example(name: "log", f: { x, _ in try log(x) }, wrt: 0, expected: "1/x"),
    Example(name: "sqrt", f: { x, _ in try sqrt(x) }, wrt: 0, expected: "1/(2*sqrt(x))"),
    Example(name: "exp of sum", f: { x, y in try exp(x * y) }, wrt: 0, expected: "y*exp(x*y)"),
  ]

  @Test(arguments: examples) func printed(_ e: Example) throws {
    let g = GraphBuilder()
    let x = try g.input("x")
    let y = try g.input("y")
    let f = try e.f(x, y)
    let d = try grad(f, e.wrt == 0 ? x : y)
    g.outputs(["d": d])
    #expect(mathText(Simplify.run(g.graph)) == ["d = \(e.expected)"])
  }

  @Test func secondDerivativeOfCube() throws {
    let g = GraphBuilder()
    let x = try g.input("x")
    let f = try x ** 3
    g.outputs(["f": f, "df": try grad(f, x), "d2f": try grad(grad(f, x), x)])
    #expect(mathText(Simplify.run(g.graph)) == ["f = x^3", "df = 3*x^2", "d2f = 6*x"])
  }

  /// Higher derivatives print without leftover clutter: no `x^(x - 1 - 1)`, no
  /// `x*sin(x)/x^4`, no `20*3*x^2`.
  @Test func higherDerivativesAreTidy() throws {
    let g = GraphBuilder()
    let x = try g.input("x")
    let q = try sin(x) / x
    let dq = try grad(q, x)
    let p = try x ** 5
    let power = try x ** x
    g.outputs([
      "dq": dq, "d2q": try grad(dq, x), "d3p": try grad(grad(grad(p, x), x), x),
      "d2power": try grad(grad(power, x), x),
    ])
    let lines = mathText(Simplify.run(g.graph))
    #expect(lines.contains("dq = cos(x)/x - sin(x)/x^2"))
    #expect(lines.contains("d2q = 2*sin(x)/x^3 - sin(x)/x - 2*cos(x)/x^2"))
    #expect(lines.contains("d3p = 60*x^2"))
    let d2power = try #require(lines.first { $0.hasPrefix("d2power = ") })
    #expect(d2power.contains("x^(x - 2)") && !d2power.contains("- 1 - 1"), "\(d2power)")
  }

  @Test func tensorGraphNamesReductions() throws {
    let g = GraphBuilder()
    let w = try g.input("w", shape: [3])
    let loss = try sum(w * w)
    g.outputs(["loss": loss, "dw": try grad(loss, w)])
    #expect(mathText(Simplify.run(g.graph)) == ["loss = sum(w^2)", "dw = 2*w"])
  }
}

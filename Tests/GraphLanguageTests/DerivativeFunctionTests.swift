import GraphIR
import GraphLanguage
import Testing

/// `jacobian` and `hessian` in the language, `transpose` with a permutation, `reshape` with
/// an inferred axis and the literals `inf` and `nan`, against values worked out by hand.
@Suite struct DerivativeFunctionTests {
  static func run(_ source: String, _ inputs: [String: Tensor]) throws -> [String: Tensor] {
    try Interpreter.run(GraphParser.parse(source, fileName: "t.graph"), inputs)
  }

  @Test func jacobianOfAnElementwiseSquare() throws {
    // y = 3x^2 elementwise: dy_i/dx_j = 6 x_i where i = j, else 0; at x = [1, 2].
    let source = "input x: f64[2]\ny = 3 * x * x\nj = jacobian(y, x)\noutput j"
    let out = try Self.run(source, ["x": Tensor(shape: [2], scalars: [1, 2])])
    #expect(out["j"] == Tensor(shape: [2, 2], scalars: [6, 0, 0, 12]))
  }

  @Test func jacobianOfAMatrixProductHasShapeYThenX() throws {
    // y = a @ x with a 3x2 and x a 2-vector: dy/dx = a, shape [3, 2].
    let source = "input a: f64[3, 2]\ninput x: f64[2]\ny = a @ x\nj = jacobian(y, x)\noutput j"
    let a = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
    let out = try Self.run(source, ["a": a, "x": Tensor(shape: [2], scalars: [7, 8])])
    #expect(out["j"] == a)
  }

  @Test func hessianOfACubicAndOfACoupling() throws {
    // f = sum(x^3) + x0*x1: H = diag(6x) + [[0, 1], [1, 0]] at x = [1, 2].
    let source = "input x: f64[2]\nf = sum(x^3) + x[0] * x[1]\nh = hessian(f, x)\noutput h"
    let out = try Self.run(source, ["x": Tensor(shape: [2], scalars: [1, 2])])
    #expect(out["h"] == Tensor(shape: [2, 2], scalars: [6, 1, 1, 12]))
  }

  @Test func derivativesWithRespectToNamedNumbers() throws {
    // t = 2: d/dt t^2 = 4 (jacobian of a scalar is a scalar), d2/dt2 t^3 = 6t = 12.
    let source = "t = 2\nj = jacobian(t^2, t)\nh = hessian(t^3, t)\noutput j, h"
    let out = try Self.run(source, [:])
    #expect(out["j"]?.scalar == 4)
    #expect(out["h"]?.scalar == 12)
  }

  @Test func transposeWithAPermutationAndReshapeWithAHole() throws {
    // x[i, j, k] = 12i + 4j + k; transpose [2, 0, 1] puts k first: y[k, i, j] = x[i, j, k].
    let x = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Double.init))
    let source =
      "input x: f64[2, 3, 4]\ny = transpose(x, [2, 0, 1])\nz = reshape(y, [-1, 6])\noutput z"
    let z = try #require(try Self.run(source, ["x": x])["z"])
    #expect(z.shape == [4, 6])
    var expected: [Double] = []
    for k in 0..<4 {
      for i in 0..<2 { for j in 0..<3 { expected.append(Double(12 * i + 4 * j + k)) } }
    }
    #expect(z.scalars == expected)
  }

  @Test func infinityAndNaNAreLiterals() throws {
    let source = "input x\na = max(x, -inf)\nb = min(x, inf)\nc = x + nan\noutput a, b, c"
    let out = try Self.run(source, ["x": Tensor(3)])
    #expect(out["a"]?.scalar == 3 && out["b"]?.scalar == 3)
    #expect(out["c"]?.scalar?.isNaN == true)
    // A file may still name a value `inf`.
    let named = try Self.run("inf = 2\nf = inf * 3\noutput f", [:])
    #expect(named["f"]?.scalar == 6)
  }
}

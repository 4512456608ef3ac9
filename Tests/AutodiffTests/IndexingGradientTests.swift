import Foundation
import GraphIR
import GraphTestSupport
import Testing

@testable import Autodiff

/// Finite-difference checks of the indexing rules: `take` (its VJP a scatter-add that adds
/// up repeated indices, and negative indices counting from the end), its transpose,
/// `cross_entropy` with integer labels, and the JVP of `take`.
@Suite struct IndexingGradientTests {
  static func input(_ shape: [Int], _ offset: Int) -> Tensor {
    Tensor(
      .f64, shape: shape,
      scalars: (0..<shape.reduce(1, *)).map { Foundation.sin(Double($0 * 7 + offset)) })
  }

  /// `l = sum(take(x, idx, axis)^2 * w)`, checked with respect to `x`.
  @Test(arguments: [(0, [4, 3]), (1, [4, 3]), (-1, [2, 3, 4])])
  func takeGradient(axis: Int, shape: [Int]) throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, shape))
    let idx = try b.input("idx", TensorType(.i64, [2, 3]))
    let y = try b.take(x, idx, axis: axis)
    let w = try b.input("w", b.type(y))
    let l = try b.sum(try b.mul(try b.mul(y, y), w))
    let g = try gradient(of: l, withRespectTo: [x], in: b)[0]
    let size = shape[axis < 0 ? axis + shape.count : axis]
    // Repeated (0 three times, via -size) and negative indices.
    let indices = Tensor(.i64, shape: [2, 3], scalars: [0, -1, Double(-size), 2, 0, -1])
    let error = try checkGradient(
      b.graph, of: l, withRespectTo: "x", gradient: g,
      at: ["x": Self.input(shape, 1), "idx": indices, "w": Self.input(b.type(y).shape, 2)])
    #expect(error < 1e-6)
  }

  /// The transpose's own VJP is a take: `l = sum(scatterAdd(g, idx)^2)` with respect to g.
  @Test func scatterAddGradient() throws {
    let b = GraphBuilder()
    let s = try b.input("s", TensorType(.f64, [3, 2]))
    let idx = try b.input("idx", TensorType(.i32, [3]))
    let z = try b.scatterAdd(s, idx, axis: 0, caller: .take, into: TensorType(.f64, [4, 2]))
    let l = try b.sum(try b.mul(z, z))
    let g = try gradient(of: l, withRespectTo: [s], in: b)[0]
    let error = try checkGradient(
      b.graph, of: l, withRespectTo: "s", gradient: g,
      at: ["s": Self.input([3, 2], 3), "idx": Tensor(.i32, shape: [3], scalars: [1, -3, 3])])
    #expect(error < 1e-6)
  }

  /// cross_entropy with labels (one negative) with respect to the logits, in f64.
  @Test func crossEntropyLabelsGradient() throws {
    let b = GraphBuilder()
    let z = try b.input("z", TensorType(.f64, [3, 4]))
    let labels = try b.input("labels", TensorType(.i64, [3]))
    let l = try b.crossEntropy(logits: z, labels: labels)
    let g = try gradient(of: l, withRespectTo: [z], in: b)[0]
    let error = try checkGradient(
      b.graph, of: l, withRespectTo: "z", gradient: g,
      at: ["z": Self.input([3, 4], 5), "labels": Tensor(.i64, shape: [3], scalars: [3, 0, -2])])
    #expect(error < 1e-6)
  }

  /// The JVP of take along a direction equals the VJP's transpose: <J v, u> = <v, J^T u>.
  @Test func takeJVPMatchesVJP() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [4, 2]))
    let v = try b.input("v", TensorType(.f64, [4, 2]))
    let idx = try b.input("idx", TensorType(.i64, [3]))
    let u = try b.input("u", TensorType(.f64, [3, 2]))
    let y = try b.take(x, idx)
    let jv = try jvp(of: [y], withRespectTo: [x], tangents: [v], in: b)[0]
    let jtu = try gradient(of: try b.sum(try b.mul(y, u)), withRespectTo: [x], in: b)[0]
    b.output("left", try b.sum(try b.mul(jv, u)))
    b.output("right", try b.sum(try b.mul(v, jtu)))
    let out = try Interpreter.run(
      b.graph,
      [
        "x": Self.input([4, 2], 1), "v": Self.input([4, 2], 2), "u": Self.input([3, 2], 3),
        "idx": Tensor(.i64, shape: [3], scalars: [1, 1, -1]),
      ])
    let (left, right) = (try #require(out["left"]?.scalar), try #require(out["right"]?.scalar))
    #expect(abs(left - right) < 1e-12)
  }

  /// No gradient flows through integers: a float that depends on `x` only through an
  /// integer conversion has gradient exactly zero, and `grad` with respect to an integer is
  /// an error.
  @Test func noGradientThroughIntegers() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [3]))
    let k = try b.cast(try b.mul(x, b.scalar(10, like: x)), to: .i64)
    let l = try b.sum(try b.mul(try b.cast(k, to: .f64), x))
    let g = try gradient(of: l, withRespectTo: [x], in: b)[0]
    b.output("g", g)
    let out = try Interpreter.run(b.graph, ["x": Self.input([3], 0)])
    let expected = try Interpreter.run(
      b.graph, ["x": Self.input([3], 0)])["g"]?.scalars
    #expect(out["g"]?.scalars == expected)
    // d/dx (f64(i64(10x)) * x) = f64(i64(10x)) where the conversion carries no derivative.
    let xs = Self.input([3], 0).scalars
    #expect(out["g"]?.scalars == xs.map { Double(Int64($0 * 10)) })
    #expect(throws: GraphError.notDifferentiable(op: "grad", type: TensorType(.i64, [3]))) {
      try gradient(of: b.sum(k), withRespectTo: [k], in: b)
    }
  }
}

import GraphIR
import Testing

/// `repeatLoop` and `scan` in the Swift API against the same computation written out with
/// the same API, through the interpreter.
@Suite struct ValueLoopTests {
  static func outputs(_ g: GraphBuilder, _ inputs: [String: Tensor]) throws -> [String: Tensor] {
    try Interpreter.run(g.graph, inputs)
  }

  @Test func repeatLoopIsTheUnrolledMap() throws {
    let looped = GraphBuilder()
    let x = try looped.input("x")
    let w = try looped.param("w", initializer: .fill(0.5))
    let y = try repeatLoop(4, [x]) { scope, c in [try c[0] + scope(w) * sin(c[0])] }[0]
    looped.outputs(["y": y])

    let unrolled = GraphBuilder()
    var c = try unrolled.input("x")
    let v = try unrolled.param("w", initializer: .fill(0.5))
    for _ in 0..<4 { c = try c + v * sin(c) }
    unrolled.outputs(["y": c])
    let inputs = ["x": Tensor(0.8)]
    #expect(try Self.outputs(looped, inputs) == Self.outputs(unrolled, inputs))
  }

  /// An RNN over three steps whose weight is captured by a `repeat` nested in the `scan`.
  @Test func nestedScanIsTheUnrolledRecurrence() throws {
    let looped = GraphBuilder()
    let xs = try looped.input("xs", shape: [3, 2])
    let h0 = try looped.input("h0", shape: [2])
    let w = try looped.input("w", shape: [2])
    let (carries, stacked) = try scan([h0], over: [xs]) { scope, h, x in
      let inner = try repeatLoop(2, [h[0] + x[0]], in: scope) { scope, a in
        [try tanh(a[0] * scope(w))]
      }
      return ([inner[0]], [try sum(inner[0])])
    }
    looped.outputs(["h": carries[0], "s": stacked[0]])

    let unrolled = GraphBuilder()
    let us = try unrolled.input("xs", shape: [3, 2])
    var h = try unrolled.input("h0", shape: [2])
    let v = try unrolled.input("w", shape: [2])
    var sums: [Value] = []
    for t in 0..<3 {
      var a = try h + us[.at(t)]
      for _ in 0..<2 { a = try tanh(a * v) }
      h = a
      sums.append(try reshape(sum(a), [1]))
    }
    unrolled.outputs(["h": h, "s": try concat(sums, axis: 0)])
    let inputs = [
      "xs": Tensor(.f64, shape: [3, 2], scalars: [0.1, 0.2, -0.3, 0.4, 0.5, -0.6]),
      "h0": Tensor(.f64, shape: [2], scalars: [0.7, -0.1]),
      "w": Tensor(.f64, shape: [2], scalars: [1.2, 0.8]),
    ]
    let got = try Self.outputs(looped, inputs)
    let expected = try Self.outputs(unrolled, inputs)
    for name in ["h", "s"] {
      let (a, b) = (try #require(got[name]), try #require(expected[name]))
      #expect(a.shape == b.shape)
      for (p, q) in zip(a.scalars, b.scalars) { #expect(abs(p - q) <= 1e-12 * max(1, abs(q))) }
    }
  }
}

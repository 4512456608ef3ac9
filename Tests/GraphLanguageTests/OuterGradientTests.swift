import GraphIR
import GraphLanguage
import Testing

/// `grad` inside a loop body with respect to a value of the file: the same as in the loop
/// unrolled by hand when the differentiated expression reads no carry, row or captured value
/// that depends on it (values and gradients, f64, relative 1e-12), and a located error when
/// it does.
@Suite struct OuterGradientTests {
  /// Per-step gradients with respect to a weight, collected by a scan whose carry depends on
  /// the weight but is not read by the differentiated expression.
  @Test func perStepGradientsInAScan() throws {
    let looped = """
      input xs: f64[3]
      param w = 0.7
      def step(acc, x)
        g = grad(sin(w * x) + w * w * x, w)
        return acc + g, g
      end
      total, gs = scan(step, [0 * w], [xs])
      dt = grad(total, w)
      output total, gs, dt
      """
    let unrolled = """
      input xs: f64[3]
      param w = 0.7
      g0 = grad(sin(w * xs[0]) + w * w * xs[0], w)
      g1 = grad(sin(w * xs[1]) + w * w * xs[1], w)
      g2 = grad(sin(w * xs[2]) + w * w * xs[2], w)
      total = 0 * w + g0 + g1 + g2
      gs = concat(concat(reshape(g0, [1]), reshape(g1, [1]), 0), reshape(g2, [1]), 0)
      dt = grad(total, w)
      output total, gs, dt
      """
    try expectSameOutputs(looped, unrolled, ["xs": tensor([3], [0.3, -1.2, 2.5])])
  }

  /// Two nested loops whose carries both come to depend on the weight through the gradient,
  /// which itself reads only the weight; the gradient of the result with respect to it.
  @Test func nestedLoops() throws {
    let looped = """
      input x
      param w = 0.6
      def inner(d)
        return d + grad(w * w * w, w)
      end
      def outer(c)
        return c + repeat(inner, 2, c)
      end
      y = repeat(outer, 2, x)
      gy = grad(y, w)
      output y, gy
      """
    let unrolled = """
      input x
      param w = 0.6
      d1 = x + grad(w * w * w, w)
      d2 = d1 + grad(w * w * w, w)
      c1 = x + d2
      e1 = c1 + grad(w * w * w, w)
      e2 = e1 + grad(w * w * w, w)
      y = c1 + e2
      gy = grad(y, w)
      output y, gy
      """
    try expectSameOutputs(looped, unrolled, ["x": Tensor(1.3)])
    let outputs = try evaluate(looped, ["x": Tensor(1.3)])
    // y = 4x + 18 w^2 by hand.
    #expect(close(outputs["y"]?.scalar ?? .nan, 4 * 1.3 + 18 * 0.36))
    #expect(close(outputs["gy"]?.scalar ?? .nan, 36 * 0.6))
  }

  /// The expression reads a carry that never depends on the weight.
  @Test func aCarryIndependentOfTheValue() throws {
    let looped = """
      input x
      param w = 0.4
      def f(c)
        return c + grad(c * w, w)
      end
      y = repeat(f, 3, x)
      gy = grad(y, w)
      output y, gy
      """
    let unrolled = """
      input x
      param w = 0.4
      c1 = x + grad(x * w, w)
      c2 = c1 + grad(c1 * w, w)
      y = c2 + grad(c2 * w, w)
      gy = grad(y, w)
      output y, gy
      """
    try expectSameOutputs(looped, unrolled, ["x": Tensor(-0.8)])
  }

  static let message =
    "error: 'grad' inside a loop body differentiates with respect to 'w', a value defined outside "
    + "it, "
    + "an expression that also reads a carry or another value of the loop that depends on "
    + "'w': the derivative would have to follow 'w' through every earlier iteration (not "
    + "supported: take the derivative outside the loop, or pass 'w' in as a carry to hold the "
    + "earlier iterations fixed)"

  @Test(arguments: [
    // The carry starts as w.
    (
      "param w\ndef f(a)\n  return a + grad(sin(a * w), w)\nend\ny = repeat(f, 2, w)\noutput y",
      "t.graph:3:31"
    ),
    // The carry's new value depends on w.
    (
      "input x\nparam w\ndef f(a)\n  return a + grad(sin(a * w), w)\nend\ny = repeat(f, 2, x)\n"
        + "output y", "t.graph:4:31"
    ),
    // A captured value depends on w.
    (
      "input x\nparam w\nv = 2 * w\ndef f(a)\n  return a + grad(v * w, w)\nend\n"
        + "y = repeat(f, 2, x)\noutput y", "t.graph:5:26"
    ),
    // A scanned row depends on w.
    (
      "input x\ninput xs: f64[2]\nparam w\ndef f(a, r)\n  return a + grad(r * w, w)\nend\n"
        + "y = scan(f, [x], [xs * w])\noutput y", "t.graph:5:26"
    ),
    // Through a function's parameter bound to the outer value.
    (
      "input x\nparam w\ndef s(a, w)\n  return grad(w * w * a, w)\nend\n"
        + "def f(a)\n  return a + s(a, w)\nend\ny = repeat(f, 2, x)\noutput y", "t.graph:4:26"
    ),
    // The inner loop reads the outer loop's carry, whose new value depends on w.
    (
      "input x\nparam w\ndef g(d)\n  return d + grad(d * w, w)\nend\n"
        + "def f(c)\n  return c * w + repeat(g, 1, c)\nend\ny = repeat(f, 2, x)\noutput y",
      "t.graph:4:26"
    ),
  ])
  func dependentReadsAreLocatedErrors(source: String, location: String) {
    #expect(diagnostic(source) == "\(location): \(Self.message)")
  }
}

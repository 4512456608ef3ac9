import GraphIR
import GraphLanguage
import Testing

/// `def` blocks and their calls: each call must give exactly what the same statements written
/// inline give (the oracle is the hand-inlined file, run through the interpreter).
@Suite struct UserFunctionTests {
  @Test func oneResultCallIsTheInlinedBody() throws {
    try expectSameOutputs(
      """
      input x
      def f(a)
        b = a * a
        return exp(b) - a
      end
      y = f(x) + f(2 * x)
      output y
      """,
      """
      input x
      y = (exp(x * x) - x) + (exp((2 * x) * (2 * x)) - 2 * x)
      output y
      """, ["x": Tensor(0.3)])
  }

  @Test func severalResultsAreNamedTogether() throws {
    try expectSameOutputs(
      """
      input x
      input y
      def polar(a, b)
        r = sqrt(a^2 + b^2)
        return r, a / r, b / r
      end
      r, c, s = polar(x, y)
      output r, c, s
      """,
      """
      input x
      input y
      r = sqrt(x^2 + y^2)
      c = x / r
      s = y / r
      output r, c, s
      """, ["x": Tensor(3), "y": Tensor(4)])
  }

  /// A body reads the names above its `def` (here the param `w` and the value `k`), and its
  /// own names hide outer ones inside it (`k`).
  @Test func bodiesCaptureOuterValuesAndHideThem() throws {
    try expectSameOutputs(
      """
      input x
      param w = 1.5
      k = 10
      def f(a)
        k = a * w
        return k + 1
      end
      y = f(x) + k
      output y
      """,
      """
      input x
      param w = 1.5
      y = x * w + 1 + 10
      output y
      """, ["x": Tensor(0.25)])
  }

  /// Each call is checked with its own argument types: one function serves a scalar and a
  /// vector, and a function calls one defined above it.
  @Test func oneFunctionServesSeveralShapes() throws {
    try expectSameOutputs(
      """
      input x
      input v: f64[3]
      def sq(a)
        return a * a
      end
      def norm2(a)
        return sum(sq(a))
      end
      y = sq(x) + norm2(v)
      output y
      """,
      """
      input x
      input v: f64[3]
      y = x * x + sum(v * v)
      output y
      """, ["x": Tensor(2), "v": tensor([3], [1, 2, 3])])
  }

  @Test func gradientsFlowThroughCallsAndInsideBodies() throws {
    try expectSameOutputs(
      """
      input x
      param w = 0.5
      def f(a)
        h = tanh(w * a)
        return h, grad(h, a)
      end
      y, dy = f(x)
      gw = grad(y, w)
      gx = grad(dy, x)
      output y, dy, gw, gx
      """,
      """
      input x
      param w = 0.5
      a = x
      h = tanh(w * a)
      y = h
      dy = grad(h, a)
      gw = grad(y, w)
      gx = grad(dy, x)
      output y, dy, gw, gx
      """, ["x": Tensor(0.7)])
  }

  /// A name defined below a `def` is not visible inside it, even when the call comes later.
  @Test func bodiesSeeOnlyNamesAboveTheirDef() {
    #expect(
      diagnostic(
        """
        input x
        def f(a)
          return a + later
        end
        later = 2
        y = f(x)
        output y
        """) == "t.graph:3:14: error: unknown name 'later'")
  }
}

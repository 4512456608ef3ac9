import Foundation
import GraphIR
import GraphLanguage
import Testing

/// `repeat` and `scan` against the same computation unrolled by hand (values and gradients,
/// f64, relative 1e-12), and against JAX's `scan` semantics.
@Suite struct LoopTests {
  /// `x_{k+1} = x_k + 0.1 w sin(x_k)` unrolled `n` times, with its value, first and second
  /// derivatives with respect to `w` and the first with respect to `x`.
  static func unrolledMap(_ n: Int) -> String {
    var lines = ["input x", "param w = 0.8", "x0 = x"]
    for k in 0..<n { lines.append("x\(k + 1) = x\(k) + 0.1 * w * sin(x\(k))") }
    lines += [
      "y = x\(n)", "gw = grad(y, w)", "gx = grad(y, x)", "hw = grad(gw, w)", "output y, gw, gx, hw",
    ]
    return lines.joined(separator: "\n")
  }

  static let loopedMap = """
    input x
    param w = 0.8
    def step(a)
      return a + 0.1 * w * sin(a)
    end
    y = repeat(step, COUNT, x)
    gw = grad(y, w)
    gx = grad(y, x)
    hw = grad(gw, w)
    output y, gw, gx, hw
    """

  @Test(arguments: [0, 1, 7])
  func repeatIsTheUnrolledMap(count: Int) throws {
    try expectSameOutputs(
      Self.loopedMap.replacingOccurrences(of: "COUNT", with: "\(count)"),
      Self.unrolledMap(count), ["x": Tensor(0.9)])
  }

  @Test func zeroTripRepeatReturnsItsInitialValues() throws {
    let outputs = try evaluate(
      """
      input x
      input v: f64[2]
      def scale(a, b)
        return a * 2, b * 3
      end
      p, q = repeat(scale, 0, x, v)
      output p, q
      """, ["x": Tensor(1.5), "v": tensor([2], [4, 5])])
    #expect(outputs["p"]?.scalars == [1.5])
    #expect(outputs["q"]?.scalars == [4, 5])
  }

  /// An Elman RNN over three steps with captured weights, two carries and two per-step
  /// values, against the steps written out; gradients with respect to the captured weight
  /// add up over the steps.
  @Test func scanIsTheUnrolledRecurrence() throws {
    let looped = """
      input h0: f64[2]
      input xs: f64[3, 2]
      param W: f64[2, 2] = 0.3
      def cell(h, s, x)
        h2 = tanh(h @ W + x)
        return h2, s + sum(h2), h2 * 2, sum(x)
      end
      hT, sT, hs, xsum = scan(cell, [h0, 0], [xs])
      l = sum(hs * hs) + sT
      gW = grad(l, W)
      output hT, sT, hs, xsum, l, gW
      """
    var lines = ["input h0: f64[2]", "input xs: f64[3, 2]", "param W: f64[2, 2] = 0.3", "s0 = 0"]
    for t in 0..<3 {
      let h = t == 0 ? "h0" : "h\(t)"
      lines += [
        "h\(t + 1) = tanh(\(h) @ W + xs[\(t)])", "s\(t + 1) = s\(t) + sum(h\(t + 1))",
        "o\(t) = reshape(h\(t + 1) * 2, [1, 2])", "q\(t) = reshape(sum(xs[\(t)]), [1])",
      ]
    }
    lines += [
      "hT = h3", "sT = s3", "hs = concat(o0, o1, o2, 0)", "xsum = concat(q0, q1, q2, 0)",
      "l = sum(hs * hs) + sT", "gW = grad(l, W)", "output hT, sT, hs, xsum, l, gW",
    ]
    try expectSameOutputs(
      looped, lines.joined(separator: "\n"),
      [
        "h0": tensor([2], [0.1, -0.2]),
        "xs": tensor([3, 2], [0.5, -0.1, 0.3, 0.8, -0.6, 0.2]),
      ])
  }

  /// JAX's `scan` with a running sum as carry and the carry as output is `cumsum`.
  @Test func scanOfARunningSumIsCumsum() throws {
    let outputs = try evaluate(
      """
      input xs: f64[4]
      def add(c, x)
        c2 = c + x
        return c2, c2
      end
      total, sums = scan(add, [0], [xs])
      expected = cumsum(xs, 0)
      output total, sums, expected
      """, ["xs": tensor([4], [1, 2, 3, 4])])
    #expect(outputs["sums"]?.scalars == outputs["expected"]?.scalars)
    #expect(outputs["total"]?.scalars == [10])
  }

  /// Unrolled gradient descent on `(a - 3)^2` differentiated with respect to its learning
  /// rate (a hyper-gradient): `a_n = 3 (1 - (1 - 2 lr)^n)` from `a_0 = 0`, so
  /// `d a_n / d lr = 6 n (1 - 2 lr)^(n-1)`.
  @Test func gradInsideABodyAndAHyperGradient() throws {
    let outputs = try evaluate(
      """
      param lr = 0.1
      def step(a)
        l = (a - 3)^2
        return a - lr * grad(l, a)
      end
      y = repeat(step, 20, 0)
      g = grad(y, lr)
      output y, g
      """)
    let decay = 1 - 2 * 0.1
    #expect(close(outputs["y"]?.scalar, 3 * (1 - pow(decay, 20))))
    #expect(close(outputs["g"]?.scalar, 6 * 20 * pow(decay, 19)))
  }

  /// A `repeat` inside a function run by a `scan`, second derivatives through both.
  @Test func nestedLoopsAndSecondDerivatives() throws {
    let looped = """
      input xs: f64[2]
      param w = 0.6
      def inner(a)
        return a * w + sin(a)
      end
      def outer(c, x)
        return repeat(inner, 2, c + x)
      end
      y = scan(outer, [0.1], [xs])
      g = grad(y, w)
      h = grad(g, w)
      output y, g, h
      """
    let unrolled = """
      input xs: f64[2]
      param w = 0.6
      a0 = 0.1 + xs[0]
      a1 = a0 * w + sin(a0)
      a2 = a1 * w + sin(a1)
      b0 = a2 + xs[1]
      b1 = b0 * w + sin(b0)
      y = b1 * w + sin(b1)
      g = grad(y, w)
      h = grad(g, w)
      output y, g, h
      """
    try expectSameOutputs(looped, unrolled, ["xs": tensor([2], [0.2, -0.4])])
  }
}

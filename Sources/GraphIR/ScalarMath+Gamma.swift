import Foundation

/// Digamma and trigamma, the derivatives of `lgamma`, exactly as the prelude's
/// `gc_digamma` and `gc_trigamma` compute them (the same steps in the same order, so the
/// interpreter and the kernels agree to the last bit wherever libm's `log`, `tan` and `sin`
/// do).
///
/// For `x > 0` both use the recurrences `psi(x) = psi(x + 1) - 1/x` and
/// `psi1(x) = psi1(x + 1) + 1/x^2` to reach `x >= 10`, then the asymptotic series
/// `psi(x) ~ log x - 1/(2x) - sum B_2k / (2k x^2k)` and
/// `psi1(x) ~ 1/x + 1/(2x^2) + sum B_2k / x^(2k+1)` up to `k = 7`: at `x >= 10` the first
/// omitted terms are below 1e-16 relative. For `x < 0` the reflection formulas
/// `psi(x) = psi(1 - x) - pi / tan(pi x)` and `psi1(x) = pi^2 / sin^2(pi x) - psi1(1 - x)`,
/// with `pi x` reduced to the fractional part of `x` first (tan and sin have period pi), so
/// that large negative arguments keep their accuracy.
///
/// At the poles (0, -1, -2, ...) digamma is `-1/x` at zero (-inf at +0, +inf at -0) and NaN
/// at the negative integers (the one-sided limits differ); trigamma is +inf at every pole.
/// These are SciPy's values. Near digamma's positive root (1.4616...) the recurrence
/// cancels: the absolute error stays about 1e-16, the relative error grows.
extension ScalarMath {
  /// `psi(x) = d/dx lgamma(x)`.
  public static func digamma(_ x: Double) -> Double {
    if x <= 0 {
      if x == x.rounded(.down) { return x == 0 ? -1 / x : .nan }
      let fraction = x - x.rounded(.down)
      return digamma(1 - x) - Double.pi / Foundation.tan(Double.pi * fraction)
    }
    var x = x
    var result = 0.0
    while x < 10 {
      result -= 1 / x
      x += 1
    }
    let r = 1 / (x * x)
    let series =
      r
      * (1.0 / 12 - r
        * (1.0 / 120 - r
          * (1.0 / 252 - r * (1.0 / 240 - r * (1.0 / 132 - r * (691.0 / 32760 - r / 12))))))
    return result + Foundation.log(x) - 0.5 / x - series
  }

  /// `psi1(x) = d/dx digamma(x)`.
  public static func trigamma(_ x: Double) -> Double {
    if x <= 0 {
      if x == x.rounded(.down) { return .infinity }
      let s = Foundation.sin(Double.pi * (x - x.rounded(.down)))
      return Double.pi * Double.pi / (s * s) - trigamma(1 - x)
    }
    var x = x
    var result = 0.0
    while x < 10 {
      result += 1 / (x * x)
      x += 1
    }
    let r = 1 / (x * x)
    let series =
      r
      * (1.0 / 6 - r
        * (1.0 / 30 - r
          * (1.0 / 42 - r * (1.0 / 30 - r * (5.0 / 66 - r * (691.0 / 2730 - r * 7.0 / 6))))))
    return result + 1 / x + 0.5 * r + series / x
  }
}

import Foundation
import _Differentiation

/// The same computations as W2 and W3 written with Swift's own `_Differentiation`, the way
/// its documentation suggests: a `@differentiable` function and `valueWithGradient`.
enum SwiftAutodiffBaselines {
  /// W3: value and gradient of `sum(tanh(0.7x + 0.3) * sigmoid(x))`. Elementwise, so each
  /// element's derivative is the scalar function's (the sum passes a cotangent of 1).
  static func w3(_ x: [Float], _ grad: inout [Float]) -> Double {
    var total = 0.0
    for i in x.indices {
      let (value, slope) = valueWithGradient(at: x[i], of: w3Element)
      total += Double(value)
      grad[i] = slope
    }
    return total
  }

  @differentiable(reverse)
  static func w3Element(_ x: Float) -> Float {
    let t = tanh(0.7 * x + 0.3)
    return t * (1 / (1 + exp(-x)))
  }

  /// W2: value and gradient of the extended Rosenbrock function over an array.
  static func w2(_ x: [Double]) -> (Double, [Double]) {
    let (value, gradient) = valueWithGradient(at: x, of: rosenbrock)
    return (value, gradient.base)
  }

  @differentiable(reverse)
  static func rosenbrock(_ x: [Double]) -> Double {
    var total = 0.0
    for i in 0..<withoutDerivative(at: x.count - 1) {
      let a = x[i + 1] - x[i] * x[i]
      let b = 1 - x[i]
      total += 100 * a * a + b * b
    }
    return total
  }
}

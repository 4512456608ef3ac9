import Foundation

/// The meaning of each elementwise op on one element, in double precision.
///
/// Used by the interpreter and by constant folding, so both agree by construction. For f32
/// the caller rounds the result with `DType.round`.
public enum ScalarMath {
  /// Applies an elementwise op to its operand values. Precondition: `op.isElementwise`.
  public static func apply(_ op: Op, _ x: [Double]) -> Double {
    switch op {
    case .neg: -x[0]
    case .exp: Foundation.exp(x[0])
    case .log: Foundation.log(x[0])
    case .sin: Foundation.sin(x[0])
    case .cos: Foundation.cos(x[0])
    case .tan: Foundation.tan(x[0])
    case .tanh: Foundation.tanh(x[0])
    case .sqrt: x[0].squareRoot()
    case .abs: Swift.abs(x[0])
    case .erf: Foundation.erf(x[0])
    case .lgamma: Foundation.lgamma(x[0])
    case .polygamma(let order): order == 0 ? digamma(x[0]) : trigamma(x[0])
    case .add: x[0] + x[1]
    case .sub: x[0] - x[1]
    case .mul: x[0] * x[1]
    case .div: x[0] / x[1]
    case .pow: Foundation.pow(x[0], x[1])
    case .maximum: maximum(x[0], x[1])
    case .minimum: minimum(x[0], x[1])
    case .less: x[0] < x[1] ? 1 : 0
    case .lessEqual: x[0] <= x[1] ? 1 : 0
    case .greater: x[0] > x[1] ? 1 : 0
    case .greaterEqual: x[0] >= x[1] ? 1 : 0
    case .equal: x[0] == x[1] ? 1 : 0
    case .notEqual: x[0] != x[1] ? 1 : 0
    case .select: x[0] != 0 ? x[1] : x[2]
    case .cast, .stopGradient: x[0]
    case .input, .param, .constant, .broadcast, .reshape, .transpose, .slice, .pad, .concat,
      .window, .windowSum,
      .sum, .reduceMax, .cumsum, .matmul, .iota, .take, .scatterAdd, .allreduce:
      preconditionFailure("ScalarMath.apply called with non-elementwise op \(op.name)")
    }
  }

  /// Larger of two values; NaN if either is NaN (as NumPy's `maximum`).
  public static func maximum(_ a: Double, _ b: Double) -> Double {
    if a.isNaN || b.isNaN { return .nan }
    return a > b ? a : b
  }

  /// Smaller of two values; NaN if either is NaN (as NumPy's `minimum`).
  public static func minimum(_ a: Double, _ b: Double) -> Double {
    if a.isNaN || b.isNaN { return .nan }
    return a < b ? a : b
  }
}

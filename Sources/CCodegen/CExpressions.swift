import GraphIR

/// The C expression of each elementwise op, one case per op in enum order.
///
/// Semantics match `ScalarMath` exactly: comparisons give 1 or 0 in the operands' dtype,
/// `gc_max`/`gc_min` propagate NaN, `select` takes `a` when the condition is non-zero (NaN
/// included, as `NaN != 0` is true in C and Swift). f32 uses the `f` functions of libm so
/// float code stays single precision. exp, log and tanh go through the prelude's `gc_`
/// names, which a backend may map to faster versions (see the prelude).
enum CExpressions {
  /// The expression for `op` applied to operand expressions `x` (locals or literals), with
  /// result dtype `dtype`. Precondition: `op.isElementwise`.
  static func expression(_ op: Op, _ x: [String], _ dtype: DType) -> String {
    let f = dtype == .f32 ? "f" : ""
    let one = CLiteral.number(1, dtype)
    let zero = CLiteral.number(0, dtype)
    switch op {
    case .neg: return "-\(x[0])"
    case .exp: return "gc_exp\(f)(\(x[0]))"
    case .log: return "gc_log\(f)(\(x[0]))"
    case .sin: return "sin\(f)(\(x[0]))"
    case .cos: return "cos\(f)(\(x[0]))"
    case .tan: return "tan\(f)(\(x[0]))"
    case .tanh: return "gc_tanh\(f)(\(x[0]))"
    case .sqrt: return "sqrt\(f)(\(x[0]))"
    case .abs: return "fabs\(f)(\(x[0]))"
    case .erf: return "erf\(f)(\(x[0]))"
    case .lgamma: return "lgamma\(f)(\(x[0]))"
    case .polygamma(let order): return "gc_\(order == 0 ? "di" : "tri")gamma\(f)(\(x[0]))"
    case .add: return "\(x[0]) + \(x[1])"
    case .sub: return "\(x[0]) - \(x[1])"
    case .mul: return "\(x[0]) * \(x[1])"
    case .div: return "\(x[0]) / \(x[1])"
    case .pow: return "pow\(f)(\(x[0]), \(x[1]))"
    case .maximum: return "gc_max\(f)(\(x[0]), \(x[1]))"
    case .minimum: return "gc_min\(f)(\(x[0]), \(x[1]))"
    case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual:
      guard let test = condition(op, x) else { preconditionFailure("\(op.name) has no condition") }
      return "\(test) ? \(one) : \(zero)"
    case .select: return "\(x[0]) != 0 ? \(x[1]) : \(x[2])"
    case .cast: return "(\(dtype.cName))\(x[0])"
    case .stopGradient: return x[0]
    case .input, .param, .constant, .broadcast, .reshape, .transpose, .slice, .pad, .concat,
      .window, .windowSum,
      .sum, .reduceMax, .cumsum, .matmul, .iota, .take, .scatterAdd, .allreduce:
      preconditionFailure("CExpressions.expression called with non-elementwise op \(op.name)")
    }
  }

  /// The C condition of a comparison (`a < b`), or nil for any other op. A `select` whose
  /// condition is an inlined comparison tests it directly (`a > b ? x : y`) instead of
  /// comparing its 1 or 0 with 0: the same result, and one branch less under TinyCC (the
  /// relu masks of W1's backward pass ran about 25% faster).
  static func condition(_ op: Op, _ x: [String]) -> String? {
    op.facts.comparison.map { "\(x[0]) \($0) \(x[1])" }
  }

  /// `x^n` for a constant integer exponent |n| <= 4 as multiplications, or nil.
  ///
  /// A libm `pow` call costs tens of nanoseconds; `x*x` is one instruction. `x*x` is the
  /// correctly rounded square, as `pow(x, 2)` is; for 3, 4, -1 and -2 the result is within an
  /// ulp of `pow` and agrees with it on every special value (NaN, ±inf, ±0).
  static func integerPower(_ x: String, exponent: Double, _ dtype: DType) -> String? {
    let one = CLiteral.number(1, dtype)
    switch exponent {
    case 2: return "\(x) * \(x)"
    case 3: return "\(x) * \(x) * \(x)"
    case 4: return "(\(x) * \(x)) * (\(x) * \(x))"
    case -1: return "\(one) / \(x)"
    case -2: return "\(one) / (\(x) * \(x))"
    default: return nil
    }
  }
}

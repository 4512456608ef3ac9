/// A constant's value, compared and hashed by bit pattern so that `-0.0` and `0.0`
/// stay distinct and every NaN equals itself when nodes are deduplicated.
public struct Constant: Hashable, Sendable, CustomStringConvertible {
  public let value: Double

  public init(_ value: Double) { self.value = value }

  public static func == (a: Constant, b: Constant) -> Bool {
    a.value.bitPattern == b.value.bitPattern
  }

  public func hash(into hasher: inout Hasher) { hasher.combine(value.bitPattern) }

  public var description: String { formatNumber(value) }
}

/// The primitive operations of the graph IR.
///
/// Every language function and every layer lowers to these. Elementwise binary ops and
/// `select` take operands of exactly the result's shape: the builder inserts `broadcast`
/// nodes first. Each case is handled by one exhaustive switch per concern (shape rule,
/// interpreter, VJP, JVP, C expression).
public enum Op: Hashable, Sendable {
  /// A value supplied when the graph runs.
  case input(String)
  /// A trainable value: like an input, with a default and updated by training.
  case param(String)
  /// A tensor whose every element is the same number.
  case constant(Constant)

  /// `-x`
  case neg
  /// `e^x`
  case exp
  /// Natural logarithm; NaN below 0, -inf at 0.
  case log
  case sin
  case cos
  case tan
  case tanh
  case sqrt
  /// `|x|`
  case abs

  case add
  case sub
  case mul
  case div
  /// `a^b`, as C's `pow`.
  case pow
  /// Elementwise larger of two values (NaN if either is NaN).
  case maximum
  /// Elementwise smaller of two values (NaN if either is NaN).
  case minimum

  /// Comparisons give 1 where true and 0 where false, in the operands' dtype.
  case less
  case lessEqual
  case greater
  case greaterEqual
  case equal
  case notEqual

  /// `select(c, a, b)`: `a` where `c != 0`, else `b`.
  case select
  /// Converts to the node's dtype.
  case cast

  /// Repeats the operand to the node's shape under NumPy's rules (operand aligned right,
  /// each of its axes 1 or equal).
  case broadcast
  /// Same elements, same order, the node's shape.
  case reshape
  /// Permutes axes: result axis `k` is operand axis `permutation[k]`.
  case transpose([Int])
  /// Elements `start[k] ..< end[k]` on every axis (step 1).
  case slice(start: [Int], end: [Int])
  /// Surrounds the operand with `low[k]` zeros before and `high[k]` zeros after on each axis.
  case pad(low: [Int], high: [Int])
  /// Joins the operands along `axis`.
  case concat(axis: Int)

  /// Sums over `axes` (sorted, unique), which disappear from the shape.
  case sum(axes: [Int])
  /// Largest element over `axes`, which disappear from the shape.
  case reduceMax(axes: [Int])
  /// Matrix product of two 2-D operands.
  case matmul
}

extension Op {
  /// The name used in IR text, messages and DOT.
  public var name: String {
    switch self {
    case .input: "input"
    case .param: "param"
    case .constant: "const"
    case .neg: "neg"
    case .exp: "exp"
    case .log: "log"
    case .sin: "sin"
    case .cos: "cos"
    case .tan: "tan"
    case .tanh: "tanh"
    case .sqrt: "sqrt"
    case .abs: "abs"
    case .add: "add"
    case .sub: "sub"
    case .mul: "mul"
    case .div: "div"
    case .pow: "pow"
    case .maximum: "max"
    case .minimum: "min"
    case .less: "lt"
    case .lessEqual: "le"
    case .greater: "gt"
    case .greaterEqual: "ge"
    case .equal: "eq"
    case .notEqual: "ne"
    case .select: "select"
    case .cast: "cast"
    case .broadcast: "broadcast"
    case .reshape: "reshape"
    case .transpose: "transpose"
    case .slice: "slice"
    case .pad: "pad"
    case .concat: "concat"
    case .sum: "sum"
    case .reduceMax: "reduce_max"
    case .matmul: "matmul"
    }
  }

  /// True for ops computed element by element on operands of the result's shape.
  public var isElementwise: Bool {
    switch self {
    case .neg, .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs, .add, .sub, .mul, .div, .pow,
      .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual, .select,
      .cast:
      true
    case .input, .param, .constant, .broadcast, .reshape, .transpose, .slice, .pad, .concat, .sum,
      .reduceMax, .matmul:
      false
    }
  }

  /// True for comparisons, whose derivative is zero everywhere it exists.
  public var isComparison: Bool {
    switch self {
    case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual: true
    case .input, .param, .constant, .neg, .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs, .add,
      .sub, .mul, .div, .pow, .maximum, .minimum, .select, .cast, .broadcast, .reshape, .transpose,
      .slice, .pad, .concat, .sum, .reduceMax, .matmul:
      false
    }
  }

  /// True for graph leaves whose values come from the caller.
  public var isLeafInput: Bool {
    switch self {
    case .input, .param: true
    case .constant, .neg, .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs, .add, .sub, .mul, .div,
      .pow, .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual,
      .select, .cast, .broadcast, .reshape, .transpose, .slice, .pad, .concat, .sum, .reduceMax,
      .matmul:
      false
    }
  }

  /// The name of an input or param, else nil.
  public var inputName: String? {
    switch self {
    case .input(let name), .param(let name): name
    case .constant, .neg, .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs, .add, .sub, .mul, .div,
      .pow, .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual,
      .select, .cast, .broadcast, .reshape, .transpose, .slice, .pad, .concat, .sum, .reduceMax,
      .matmul:
      nil
    }
  }

  /// The constant's value, else nil.
  public var constantValue: Double? {
    if case .constant(let c) = self { return c.value }
    return nil
  }
}

/// Formats a number in its shortest round-tripping form, with integers written without
/// a fraction (`3`, `2.5`, `1e-07`, `nan`, `inf`).
public func formatNumber(_ value: Double) -> String {
  if value.isNaN { return "nan" }
  if value.isInfinite { return value < 0 ? "-inf" : "inf" }
  if value == value.rounded(), Swift.abs(value) < 1e15 {
    return value.sign == .minus && value == 0 ? "-0" : String(Int64(value))
  }
  return "\(value)"
}

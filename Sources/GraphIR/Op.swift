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
/// nodes first.
///
/// Adding an op: the case here with a doc comment; its line in `Op.name` and in the op-facts
/// table (`Op.facts`); then the compiler points at every other place, one exhaustive switch
/// per concern: the shape rule (`ShapeRules`), the interpreter (`Interpreter`, and
/// `ScalarMath` for an elementwise op), the VJP with its rule name (`VJPRules`), the JVP
/// (`JVPRules`), the C expression (`CExpressions`, and the operand reads and definition in
/// `KernelWriter+Values`), the peepholes (`Peephole`) and the readable math
/// (`MathPrinter`). Then a builder method in `GraphBuilder+Ops` and three tests (shape,
/// gradient, end to end).
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
  /// The error function, `erf(x) = 2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt`.
  case erf
  /// `log|Gamma(x)|`, as C's `lgamma`: +inf at the poles 0, -1, -2, ...
  case lgamma
  /// The polygamma function of `order`: the `order + 1`-th derivative of `lgamma`. Order 0 is
  /// digamma, order 1 trigamma; higher orders are not implemented (the shape rule refuses
  /// them, and the derivative of trigamma is an error rather than a wrong value).
  case polygamma(order: Int)

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
  /// Its operand's value, with derivatives that treat it as a constant: the shift of a
  /// softmax or logsumexp by its maximum, whose derivative cancels exactly. `Simplify` removes
  /// it once every gradient is built, so it costs nothing at run time.
  case stopGradient

  /// Repeats the operand to the node's shape under NumPy's rules (operand aligned right,
  /// each of its axes 1 or equal).
  case broadcast
  /// Same elements, same order, the node's shape.
  case reshape
  /// Permutes axes: result axis `k` is operand axis `permutation[k]`.
  case transpose([Int])
  /// Elements `start[k], start[k] + step[k], ...` up to `end[k]` (exclusive) on every axis,
  /// in a canonical form the builder makes: `step[k]` is non-zero (negative walks the axis
  /// backwards, and then `end[k]` may be -1), and `end[k]` is one step past the last element
  /// taken, moved by one rather than `step[k]` (an empty or one-element axis has step 1).
  case slice(start: [Int], end: [Int], step: [Int])
  /// Surrounds the operand with `low[k]` zeros before and `high[k]` zeros after on each axis.
  case pad(low: [Int], high: [Int])
  /// Joins the operands along `axis`.
  case concat(axis: Int)
  /// The windows of the last two axes: `[..., H, W]` to `[..., KH, KW, OH, OW]`, element
  /// `(kh, kw, i, j)` being `(i*sh + kh*dh, j*sw + kw*dw)` (convolution's im2col).
  case window(Window)
  /// The transpose of `window`: `[..., KH, KW, OH, OW]` to the node's `[..., H, W]`, each
  /// element the sum of the window elements that `window` takes from it (col2im).
  case windowSum(Window)

  /// Sums over `axes` (sorted, unique), which disappear from the shape.
  case sum(axes: [Int])
  /// Largest element over `axes`, which disappear from the shape.
  case reduceMax(axes: [Int])
  /// Inclusive running sum along `axis` (same shape); with `reverse`, from the end of the
  /// axis backwards (the VJP of a running sum).
  case cumsum(axis: Int, reverse: Bool)
  /// Matrix product of two 2-D operands.
  case matmul

  /// The coordinate of each element on `axis`, in the node's (integer or float) dtype: no
  /// operands; `arange(N)` is `iota(axis: 0)` of type `i64[N]`.
  case iota(axis: Int)
  /// NumPy's `take(x, idx, axis)`: operands `x` and integer `idx`; the result has shape
  /// `x.shape[..<axis] + idx.shape + x.shape[(axis+1)...]` and holds, at each index of `idx`,
  /// the slice of `x` at that index on `axis`. Indices may be negative down to `-size`; one
  /// outside `-size ..< size` is a run-time error (`InputError.indexOutOfRange`) that names
  /// `caller`.
  case take(axis: Int, caller: IndexCaller)
  /// The transpose of `take`: operands `g` (shaped like `take`'s result) and `idx`; the
  /// result (the node's type, shaped like `take`'s `x`) is zero except where `take` reads,
  /// which receive the sum of the slices of `g` that read them, added in index order (so
  /// repeated indices add up, deterministically). Same index rules as `take`.
  case scatterAdd(axis: Int, caller: IndexCaller)

  /// The sum of the operand over every process (rank) of a data-parallel run, elementwise:
  /// each rank contributes its own value and all receive the same total. In one process,
  /// and in the reference interpreter, the operand itself. Compiled, it is one call of the
  /// host's `gc_allreduce` on a flat buffer (see `CProgram`).
  case allreduce
}

/// The language function whose indices a `take` or `scatterAdd` checks, named in the
/// run-time error for an index out of range.
public enum IndexCaller: String, Hashable, Sendable {
  case take
  case oneHot = "one_hot"
  case crossEntropy = "cross_entropy"

  /// The function's name for its index argument, as the error message shows a position in it.
  public var argument: String {
    switch self {
    case .take, .oneHot: "idx"
    case .crossEntropy: "labels"
    }
  }
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
    case .erf: "erf"
    case .lgamma: "lgamma"
    case .polygamma: "polygamma"
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
    case .stopGradient: "stop_gradient"
    case .broadcast: "broadcast"
    case .reshape: "reshape"
    case .transpose: "transpose"
    case .slice: "slice"
    case .pad: "pad"
    case .concat: "concat"
    case .window: "window"
    case .windowSum: "window_sum"
    case .sum: "sum"
    case .reduceMax: "reduce_max"
    case .cumsum: "cumsum"
    case .matmul: "matmul"
    case .iota: "iota"
    case .take: "take"
    case .scatterAdd: "scatter_add"
    case .allreduce: "allreduce"
    }
  }

  /// True for ops computed element by element on operands of the result's shape.
  public var isElementwise: Bool { facts.family == .elementwise }

  /// True for comparisons, whose derivative is zero everywhere it exists.
  public var isComparison: Bool { facts.comparison != nil }

  /// True for graph leaves whose values come from the caller.
  public var isLeafInput: Bool { facts.family == .argument }

  /// The name of an input or param, else nil.
  public var inputName: String? {
    if case .input(let name) = self { return name }
    if case .param(let name) = self { return name }
    return nil
  }

  /// The constant's value, else nil.
  public var constantValue: Double? {
    if case .constant(let c) = self { return c.value }
    return nil
  }
}

/// What every pass may ask about an op, from one exhaustive description of each op
/// (`Op.facts`). The concerns that differ per op in earnest (shape rule, interpreter, VJP
/// with its rule name, JVP, C expression, peepholes, text) keep their own switches.
public struct OpFacts: Hashable, Sendable {
  /// The broad kind of computation.
  public enum Family: Hashable, Sendable {
    /// An input or param: its value comes from the caller.
    case argument
    /// A filled constant.
    case constant
    /// Element `i` of the result from element `i` of each operand.
    case elementwise
    /// Moves, repeats or pads elements without arithmetic.
    case layout
    /// Combines the elements along some axes.
    case reduction
    /// A running combination along one axis (each element depends on those before it).
    case scan
    /// A matrix product.
    case matmul
    /// Reads or writes at positions held in an integer operand (checked at run time).
    case indexing
    /// Combines values across processes through a call of the host.
    case communication
  }

  public var family: Family
  /// A call into libm (transcendentals, `pow`): worth a buffer rather than a second
  /// evaluation.
  public var isExpensive = false
  /// For a comparison, its C and math symbol (`<`, `==`, ...).
  public var comparison: String? = nil
  /// True when element `i` of the result reads its operands at offset `i` (false for layout
  /// ops that move elements).
  public var keepsOffset = true
  /// For a layout op: the result's element is exactly one operand element at a mapped index
  /// (broadcast, reshape, transpose, slice), so it adds no expression of its own.
  public var isIndexOnly = false
  /// For a reduction, the reduced axes.
  public var reductionAxes: [Int]? = nil
}

extension Op {
  /// The facts about this op. One exhaustive switch in enum order: a new op gets its line
  /// here, and every predicate below follows.
  public var facts: OpFacts {
    switch self {
    case .input, .param: OpFacts(family: .argument)
    case .constant: OpFacts(family: .constant)
    case .neg, .abs, .add, .sub, .mul, .div, .maximum, .minimum, .select, .cast, .stopGradient:
      OpFacts(family: .elementwise)
    case .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .erf, .lgamma, .polygamma, .pow:
      OpFacts(family: .elementwise, isExpensive: true)
    case .less: OpFacts(family: .elementwise, comparison: "<")
    case .lessEqual: OpFacts(family: .elementwise, comparison: "<=")
    case .greater: OpFacts(family: .elementwise, comparison: ">")
    case .greaterEqual: OpFacts(family: .elementwise, comparison: ">=")
    case .equal: OpFacts(family: .elementwise, comparison: "==")
    case .notEqual: OpFacts(family: .elementwise, comparison: "!=")
    case .reshape: OpFacts(family: .layout, isIndexOnly: true)
    case .broadcast, .transpose, .slice:
      OpFacts(family: .layout, keepsOffset: false, isIndexOnly: true)
    case .pad, .concat, .windowSum: OpFacts(family: .layout, keepsOffset: false)
    case .window: OpFacts(family: .layout, keepsOffset: false, isIndexOnly: true)
    case .sum(let axes), .reduceMax(let axes): OpFacts(family: .reduction, reductionAxes: axes)
    case .cumsum: OpFacts(family: .scan, keepsOffset: false)
    case .matmul: OpFacts(family: .matmul)
    // No operands to read: its element is its own coordinate, at any loop offset.
    case .iota: OpFacts(family: .elementwise)
    case .take, .scatterAdd: OpFacts(family: .indexing, keepsOffset: false)
    case .allreduce: OpFacts(family: .communication, keepsOffset: false)
    }
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

/// The geometry of a sliding window over the last two axes: its size, the step between
/// windows, and the step between a window's elements (dilation), each `[h, w]`.
public struct Window: Hashable, Sendable, CustomStringConvertible {
  public var kernel: [Int]
  public var stride: [Int]
  public var dilation: [Int]

  public init(kernel: [Int], stride: [Int], dilation: [Int]) {
    self.kernel = kernel
    self.stride = stride
    self.dilation = dilation
  }

  /// The extent one window covers in dimension `k` (0 or 1), or nil when it overflows.
  public func span(_ k: Int) -> Int? {
    let (reach, overflow) = dilation[k].multipliedReportingOverflow(
      by: Swift.max(kernel[k] - 1, 0))
    return overflow ? nil : reach + 1
  }

  /// How many windows fit along an axis of `extent` in dimension `k`, or nil.
  public func count(_ extent: Int, _ k: Int) -> Int? {
    guard kernel[k] >= 1, stride[k] >= 1, dilation[k] >= 1, let span = span(k), span <= extent
    else { return nil }
    return (extent - span) / stride[k] + 1
  }

  public var description: String {
    "kernel: [\(kernel[0]), \(kernel[1])], stride: [\(stride[0]), \(stride[1])], "
      + "dilation: [\(dilation[0]), \(dilation[1])]"
  }
}

/// A symbolic value in a graph under construction: the handle of the Swift graph API.
///
/// ```swift
/// let g = GraphBuilder()
/// let x = try g.input("x")
/// let f = try 3 * x ** 2 + 2 * x + 1
/// ```
/// Arithmetic follows NumPy broadcasting; a shape or dtype mismatch throws `GraphError`.
/// Swift's `^` is bitwise XOR with additive precedence, so the power operator is `**`
/// (right-associative, binding tighter than `*`), or `pow(a, b)`.
public struct Value: Sendable {
  /// The builder that owns the node.
  public let builder: GraphBuilder
  /// The node.
  public let id: NodeID

  public init(_ builder: GraphBuilder, _ id: NodeID) {
    self.builder = builder
    self.id = id
  }

  /// The value's dtype and shape.
  public var type: TensorType { builder.type(id) }

  /// Applies a builder operation to this value's node.
  public func map(_ f: (GraphBuilder, NodeID) throws -> NodeID) rethrows -> Value {
    Value(builder, try f(builder, id))
  }

  /// A scalar constant of this value's dtype.
  public func constant(_ v: Double) -> Value { Value(builder, builder.scalar(v, like: id)) }
}

extension GraphBuilder: @unchecked Sendable {}

extension GraphBuilder {
  /// Declares an input (default: an f64 scalar).
  public func input(_ name: String, _ dtype: DType = .f64, shape: [Int] = []) throws -> Value {
    Value(self, try input(name, TensorType(dtype, shape)))
  }

  /// Declares a trainable parameter.
  public func param(
    _ name: String, _ dtype: DType = .f64, shape: [Int] = [], initializer: Initializer = .fill(0)
  )
    throws -> Value
  {
    Value(self, try param(name, TensorType(dtype, shape), initializer: initializer))
  }

  /// Marks values as the graph's outputs, in order.
  public func outputs(_ named: KeyValuePairs<String, Value>) {
    for (name, value) in named {
      label(value.id, name)
      output(name, value.id)
    }
  }
}

precedencegroup PowerPrecedence {
  higherThan: MultiplicationPrecedence
  associativity: right
}

infix operator ** : PowerPrecedence

private func pair(_ a: Value, _ b: Value, _ f: (GraphBuilder) -> (NodeID, NodeID) throws -> NodeID)
  throws -> Value
{
  precondition(a.builder === b.builder, "values from two different graphs")
  return Value(a.builder, try f(a.builder)(a.id, b.id))
}

extension Value {
  public static func + (a: Value, b: Value) throws -> Value { try pair(a, b, GraphBuilder.add) }
  public static func - (a: Value, b: Value) throws -> Value { try pair(a, b, GraphBuilder.sub) }
  public static func * (a: Value, b: Value) throws -> Value { try pair(a, b, GraphBuilder.mul) }
  public static func / (a: Value, b: Value) throws -> Value { try pair(a, b, GraphBuilder.div) }
  public static func ** (a: Value, b: Value) throws -> Value { try pair(a, b, GraphBuilder.pow) }

  public static func + (a: Value, b: Double) throws -> Value { try a + a.constant(b) }
  public static func - (a: Value, b: Double) throws -> Value { try a - a.constant(b) }
  public static func * (a: Value, b: Double) throws -> Value { try a * a.constant(b) }
  public static func / (a: Value, b: Double) throws -> Value { try a / a.constant(b) }
  public static func ** (a: Value, b: Double) throws -> Value { try a ** a.constant(b) }
  public static func + (a: Double, b: Value) throws -> Value { try b.constant(a) + b }
  public static func - (a: Double, b: Value) throws -> Value { try b.constant(a) - b }
  public static func * (a: Double, b: Value) throws -> Value { try b.constant(a) * b }
  public static func / (a: Double, b: Value) throws -> Value { try b.constant(a) / b }
  public static func ** (a: Double, b: Value) throws -> Value { try b.constant(a) ** b }

  public static prefix func - (a: Value) throws -> Value { try a.map { try $0.neg($1) } }
}

/// Elementwise and tensor functions on values, mirroring the `.graph` language.
public func exp(_ x: Value) throws -> Value { try x.map { try $0.exp($1) } }
public func log(_ x: Value) throws -> Value { try x.map { try $0.log($1) } }
public func sin(_ x: Value) throws -> Value { try x.map { try $0.sin($1) } }
public func cos(_ x: Value) throws -> Value { try x.map { try $0.cos($1) } }
public func tan(_ x: Value) throws -> Value { try x.map { try $0.tan($1) } }
public func tanh(_ x: Value) throws -> Value { try x.map { try $0.tanh($1) } }
public func sqrt(_ x: Value) throws -> Value { try x.map { try $0.sqrt($1) } }
public func abs(_ x: Value) throws -> Value { try x.map { try $0.abs($1) } }
public func square(_ x: Value) throws -> Value { try x.map { try $0.square($1) } }
public func sigmoid(_ x: Value) throws -> Value { try x.map { try $0.sigmoid($1) } }
public func relu(_ x: Value) throws -> Value { try x.map { try $0.relu($1) } }
public func erf(_ x: Value) throws -> Value { try x.map { try $0.erf($1) } }
public func gelu(_ x: Value) throws -> Value { try x.map { try $0.gelu($1) } }
public func lgamma(_ x: Value) throws -> Value { try x.map { try $0.lgamma($1) } }
public func digamma(_ x: Value) throws -> Value { try x.map { try $0.polygamma($1, order: 0) } }
public func pow(_ a: Value, _ b: Value) throws -> Value { try a ** b }
public func max(_ a: Value, _ b: Value) throws -> Value { try pair(a, b, GraphBuilder.maximum) }
public func min(_ a: Value, _ b: Value) throws -> Value { try pair(a, b, GraphBuilder.minimum) }
/// `where(cond, a, b)`
public func select(_ c: Value, _ a: Value, _ b: Value) throws -> Value {
  Value(c.builder, try c.builder.select(c.id, a.id, b.id))
}
public func matmul(_ a: Value, _ b: Value) throws -> Value { try pair(a, b, GraphBuilder.matmul) }
public func sum(_ x: Value, axes: [Int]? = nil) throws -> Value {
  try x.map { try $0.sum($1, axes: axes) }
}
public func mean(_ x: Value, axes: [Int]? = nil) throws -> Value {
  try x.map { try $0.mean($1, axes: axes) }
}
public func reduceMax(_ x: Value, axes: [Int]? = nil) throws -> Value {
  try x.map { try $0.reduceMax($1, axes: axes) }
}
public func cumsum(_ x: Value, axis: Int) throws -> Value {
  try x.map { try $0.cumsum($1, axis: axis) }
}
public func logsumexp(_ x: Value, axis: Int) throws -> Value {
  try x.map { try $0.logsumexp($1, axis: axis) }
}
public func softmax(_ x: Value, axis: Int) throws -> Value {
  try x.map { try $0.softmax($1, axis: axis) }
}
public func logSoftmax(_ x: Value, axis: Int) throws -> Value {
  try x.map { try $0.logSoftmax($1, axis: axis) }
}
public func transpose(_ x: Value) throws -> Value { try x.map { try $0.transpose($1) } }
/// Permutes axes: result axis `k` is axis `permutation[k]` of `x`.
public func transpose(_ x: Value, _ permutation: [Int]) throws -> Value {
  try x.map { try $0.transpose($1, permutation: permutation) }
}
public func reshape(_ x: Value, _ shape: [Int]) throws -> Value {
  try x.map { try $0.reshape($1, to: shape) }
}
public func concat(_ parts: [Value], axis: Int) throws -> Value {
  guard let first = parts.first else {
    throw GraphError.invalidOperand(op: "concat", expected: "at least one tensor")
  }
  return Value(first.builder, try first.builder.concat(parts.map(\.id), axis: axis))
}
public func crossEntropy(logits: Value, onehot: Value) throws -> Value {
  Value(logits.builder, try logits.builder.crossEntropy(logits: logits.id, onehot: onehot.id))
}

extension Value {
  /// NumPy basic indexing, e.g. `x[.range(1, nil)]`.
  public subscript(_ indices: GraphBuilder.Index...) -> Value {
    get throws { try map { try $0.index($1, indices) } }
  }
}

/// Cross-entropy with integer class labels of shape `logits.shape[:-1]`.
public func crossEntropy(logits: Value, labels: Value) throws -> Value {
  Value(logits.builder, try logits.builder.crossEntropy(logits: logits.id, labels: labels.id))
}

/// NumPy's `take`: the slices of `x` along `axis` at the integer `indices`.
public func take(_ x: Value, _ indices: Value, axis: Int = 0) throws -> Value {
  Value(x.builder, try x.builder.take(x.id, indices.id, axis: axis))
}

/// The index of the first maximal element along `axis`, as `i64`.
public func argmax(_ x: Value, axis: Int) throws -> Value {
  try x.map { try $0.argmax($1, axis: axis) }
}

/// PyTorch's `conv2d` without bias (see `GraphBuilder.conv2d`).
public func conv2d(
  _ x: Value, _ w: Value, stride: [Int] = [1, 1], padding: [Int] = [0, 0],
  dilation: [Int] = [1, 1]
) throws -> Value {
  Value(
    x.builder,
    try x.builder.conv2d(x.id, w.id, stride: stride, padding: padding, dilation: dilation))
}

/// The maximum of each `kernel` window of the last two axes (stride `kernel` by default).
public func maxPool2d(_ x: Value, kernel: [Int], stride: [Int]? = nil) throws -> Value {
  try x.map { try $0.maxPool2d($1, kernel: kernel, stride: stride) }
}

/// The mean of each `kernel` window of the last two axes (stride `kernel` by default).
public func avgPool2d(_ x: Value, kernel: [Int], stride: [Int]? = nil) throws -> Value {
  try x.map { try $0.avgPool2d($1, kernel: kernel, stride: stride) }
}

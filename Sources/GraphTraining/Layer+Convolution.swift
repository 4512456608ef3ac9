import GraphIR

/// A 2-D convolution with a bias per output channel: `x` `[N, C, H, W]` to `[N, O, H', W']`
/// (PyTorch's `Conv2d`; weight `[O, C, KH, KW]`).
public struct Conv2D: Layer {
  public let weight: Value
  public let bias: Value
  public let stride: [Int]
  public let padding: [Int]
  public let activation: Activation

  /// Declares `NAME.weight` (He or Glorot by fan-in `C*KH*KW`) and `NAME.bias` (zeros).
  public init(
    _ builder: GraphBuilder, name: String, inChannels: Int, outChannels: Int, kernel: [Int],
    stride: [Int] = [1, 1], padding: [Int] = [0, 0], activation: Activation = .identity,
    dtype: DType = .f32
  ) throws {
    let fanIn = inChannels * kernel.reduce(1, *)
    let scheme = WeightInit.suited(to: activation)
    weight = try builder.param(
      "\(name).weight", dtype, shape: [outChannels, inChannels] + kernel,
      initializer: scheme.initializer(fanIn: fanIn, fanOut: outChannels * kernel.reduce(1, *)))
    bias = try builder.param(
      "\(name).bias", dtype, shape: [outChannels, 1, 1], initializer: .fill(0))
    self.stride = stride
    self.padding = padding
    self.activation = activation
  }

  public func callAsFunction(_ x: Value) throws -> Value {
    try activation(conv2d(x, weight, stride: stride, padding: padding) + bias)
  }

  public var parameters: [Value] { [weight, bias] }
}

/// How a pooling layer combines each window.
public protocol Pooling: Sendable {
  static func pool(_ x: Value, kernel: [Int], stride: [Int]?) throws -> Value
}

/// The maximum of each window (the gradient to each window's first maximum).
public enum MaxPooling: Pooling {
  public static func pool(_ x: Value, kernel: [Int], stride: [Int]?) throws -> Value {
    try maxPool2d(x, kernel: kernel, stride: stride)
  }
}

/// The mean of each window.
public enum AveragePooling: Pooling {
  public static func pool(_ x: Value, kernel: [Int], stride: [Int]?) throws -> Value {
    try avgPool2d(x, kernel: kernel, stride: stride)
  }
}

/// Pooling of the last two axes with `kernel` windows moved by `stride` (`kernel` by
/// default).
public struct Pool2D<Kind: Pooling>: Layer {
  public let kernel: [Int]
  public let stride: [Int]?

  public init(kernel: [Int], stride: [Int]? = nil) {
    self.kernel = kernel
    self.stride = stride
  }

  public func callAsFunction(_ x: Value) throws -> Value {
    try Kind.pool(x, kernel: kernel, stride: stride)
  }

  public var parameters: [Value] { [] }
}

/// Max pooling of the last two axes (PyTorch's `MaxPool2d`).
public typealias MaxPool2D = Pool2D<MaxPooling>
/// Average pooling of the last two axes (PyTorch's `AvgPool2d`).
public typealias AvgPool2D = Pool2D<AveragePooling>

/// A lookup table: integer tokens `[...]` to rows `[..., features]` of `NAME.table`
/// (`[count, features]`, normal with std 1 as PyTorch's `Embedding`). An index out of range
/// stops the run with an error naming it.
public struct Embedding: Layer {
  public let table: Value

  public init(
    _ builder: GraphBuilder, name: String, count: Int, features: Int, dtype: DType = .f32
  ) throws {
    table = try builder.param(
      "\(name).table", dtype, shape: [count, features], initializer: .normal(std: 1))
  }

  public func callAsFunction(_ tokens: Value) throws -> Value {
    try take(table, tokens, axis: 0)
  }

  public var parameters: [Value] { [table] }
}

import Autodiff
import GraphIR

/// A neural-network building block: a function of a batch made of primitive ops (so its
/// derivatives come from the primitives' rules; no layer adds an op to the IR), with the
/// params it declared. Layers declare their params on the builder when they are made.
public protocol Layer: Sendable {
  /// Applies the layer to `x`.
  func callAsFunction(_ x: Value) throws -> Value
  /// The params the layer trains, in a fixed order.
  var parameters: [Value] { get }
}

/// Layers applied one after another.
public struct Sequential: Layer {
  public let layers: [any Layer]

  public init(_ layers: [any Layer]) { self.layers = layers }

  /// A multilayer perceptron: `sizes[0]` inputs, hidden layers with `hidden` activation,
  /// a linear last layer. Params are named `layer1.weight`, `layer1.bias`, ...
  public init(
    _ builder: GraphBuilder, sizes: [Int], hidden: Activation = .relu, dtype: DType = .f32
  ) throws {
    var layers: [any Layer] = []
    for i in 0..<(sizes.count - 1) {
      let last = i == sizes.count - 2
      layers.append(
        try Dense(
          builder, name: "layer\(i + 1)", inputs: sizes[i], outputs: sizes[i + 1],
          activation: last ? .identity : hidden, dtype: dtype))
    }
    self.layers = layers
  }

  public func callAsFunction(_ x: Value) throws -> Value {
    try layers.reduce(x) { try $1($0) }
  }

  /// All params, in layer order.
  public var parameters: [Value] { layers.flatMap(\.parameters) }
}

/// An elementwise nonlinearity; also a layer without params.
public enum Activation: String, Layer, CaseIterable {
  case identity, relu, tanh, sigmoid

  /// Applies the activation.
  public func callAsFunction(_ x: Value) throws -> Value {
    switch self {
    case .identity: x
    case .relu: try GraphIR.relu(x)
    case .tanh: try GraphIR.tanh(x)
    case .sigmoid: try GraphIR.sigmoid(x)
    }
  }

  public var parameters: [Value] { [] }
}

/// A fully connected layer: `activation(x @ weight + bias)`, weight `[inputs, outputs]`.
public struct Dense: Layer {
  public let weight: Value
  public let bias: Value
  public let activation: Activation

  /// Declares the layer's params `NAME.weight` and `NAME.bias` (bias starts at zero).
  public init(
    _ builder: GraphBuilder, name: String, inputs: Int, outputs: Int,
    activation: Activation = .identity,
    dtype: DType = .f32, weightInit: WeightInit? = nil
  ) throws {
    let scheme = weightInit ?? .suited(to: activation)
    weight = try builder.param(
      "\(name).weight", dtype, shape: [inputs, outputs],
      initializer: scheme.initializer(fanIn: inputs, fanOut: outputs))
    bias = try builder.param("\(name).bias", dtype, shape: [outputs], initializer: .fill(0))
    self.activation = activation
  }

  /// Applies the layer to a batch `[..., inputs]` (or one example `[inputs]`).
  public func callAsFunction(_ x: Value) throws -> Value {
    try activation(matmul(x, weight) + bias)
  }

  /// The layer's params.
  public var parameters: [Value] { [weight, bias] }
}

/// PyTorch's name for `Dense`.
public typealias Linear = Dense

/// Flattens every axis after the first: `[n, a, b, ...]` to `[n, a*b*...]`.
public struct Flatten: Layer {
  public init() {}

  public func callAsFunction(_ x: Value) throws -> Value {
    let shape = x.type.shape
    guard let n = shape.first else { return try reshape(x, [1]) }
    return try reshape(x, [n, shape.dropFirst().reduce(1, *)])
  }

  public var parameters: [Value] { [] }
}

/// Layer normalisation over the last axis: `(x - mean) / sqrt(var + epsilon) * gain + bias`,
/// the variance the biased one (divided by the axis length), as PyTorch's `LayerNorm`.
public struct LayerNorm: Layer {
  public let gain: Value
  public let bias: Value
  public let epsilon: Double

  /// Declares `NAME.gain` (ones) and `NAME.bias` (zeros) of length `features`.
  public init(
    _ builder: GraphBuilder, name: String, features: Int, epsilon: Double = 1e-5,
    dtype: DType = .f32
  ) throws {
    gain = try builder.param("\(name).gain", dtype, shape: [features], initializer: .fill(1))
    bias = try builder.param("\(name).bias", dtype, shape: [features], initializer: .fill(0))
    self.epsilon = epsilon
  }

  public func callAsFunction(_ x: Value) throws -> Value {
    let last = x.type.rank - 1
    var kept = x.type.shape
    kept[last] = 1
    let mu = try reshape(mean(x, axes: [last]), kept)
    let centred = try x - mu
    let variance = try reshape(mean(square(centred), axes: [last]), kept)
    return try centred / sqrt(variance + epsilon) * gain + bias
  }

  public var parameters: [Value] { [gain, bias] }
}

/// The value of a scalar `loss` and its gradient with respect to each of `parameters` (each
/// shaped like its param), as new nodes of the same graph: one backward sweep.
public func valueWithGradient(of loss: Value, withRespectTo parameters: [Value]) throws -> (
  value: Value, gradients: [Value]
) {
  let ids = try gradient(of: loss.id, withRespectTo: parameters.map(\.id), in: loss.builder)
  return (loss, ids.map { Value(loss.builder, $0) })
}

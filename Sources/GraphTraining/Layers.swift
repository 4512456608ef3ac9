import GraphIR

/// Neural-network building blocks made of primitive ops, so their derivatives come from
/// the primitives' rules. None of them adds an op to the IR.

/// How a layer's weights start.
public enum WeightInit: Sendable {
  /// He (Kaiming) normal: std `sqrt(2 / fanIn)`, suited to ReLU layers.
  case he
  /// Glorot (Xavier) uniform: `±sqrt(6 / (fanIn + fanOut))`, suited to tanh and sigmoid.
  case glorot

  /// The initialiser of a `[fanIn, fanOut]` weight matrix.
  public func initializer(fanIn: Int, fanOut: Int) -> Initializer {
    switch self {
    case .he: .normal(std: (2.0 / Double(max(fanIn, 1))).squareRoot())
    case .glorot:
      .uniform(
        low: -(6.0 / Double(max(fanIn + fanOut, 1))).squareRoot(),
        high: (6.0 / Double(max(fanIn + fanOut, 1))).squareRoot())
    }
  }
}

/// An elementwise nonlinearity.
public enum Activation: String, Sendable, CaseIterable {
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
}

/// A fully connected layer: `activation(x @ weight + bias)`, weight `[inputs, outputs]`.
public struct Dense: Sendable {
  public let weight: Value
  public let bias: Value
  public let activation: Activation

  /// Declares the layer's params `NAME.weight` and `NAME.bias` (bias starts at zero).
  public init(
    _ builder: GraphBuilder, name: String, inputs: Int, outputs: Int,
    activation: Activation = .identity,
    dtype: DType = .f32, weightInit: WeightInit? = nil
  ) throws {
    let scheme = weightInit ?? (activation == .relu ? .he : .glorot)
    weight = try builder.param(
      "\(name).weight", dtype, shape: [inputs, outputs],
      initializer: scheme.initializer(fanIn: inputs, fanOut: outputs))
    bias = try builder.param("\(name).bias", dtype, shape: [outputs], initializer: .fill(0))
    self.activation = activation
  }

  /// Applies the layer to a batch `[n, inputs]` (or one example `[inputs]`).
  public func callAsFunction(_ x: Value) throws -> Value {
    try activation(matmul(x, weight) + bias)
  }

  /// The layer's params.
  public var parameters: [Value] { [weight, bias] }
}

/// Layers applied one after another.
public struct Sequential: Sendable {
  public let layers: [Dense]

  public init(_ layers: [Dense]) { self.layers = layers }

  /// A multilayer perceptron: `sizes[0]` inputs, hidden layers with `hidden` activation,
  /// a linear last layer. Params are named `layer1.weight`, `layer1.bias`, ...
  public init(
    _ builder: GraphBuilder, sizes: [Int], hidden: Activation = .relu, dtype: DType = .f32
  ) throws {
    var layers: [Dense] = []
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

/// Losses: scalar functions of predictions and targets.
public enum Loss {
  /// Mean over the batch of the cross-entropy between `softmax(logits)` and one-hot targets.
  public static func softmaxCrossEntropy(logits: Value, onehot: Value) throws -> Value {
    try crossEntropy(logits: logits, onehot: onehot)
  }

  /// Mean squared error over all elements.
  public static func meanSquaredError(_ prediction: Value, _ target: Value) throws -> Value {
    try mean(square(prediction - target))
  }
}

import GraphIR

/// Weight initialisation and losses for the layers (see `Layer`).

/// How a layer's weights start.
public enum WeightInit: Sendable {
  /// He (Kaiming) normal: std `sqrt(2 / fanIn)`, suited to ReLU layers.
  case he
  /// Glorot (Xavier) uniform: `±sqrt(6 / (fanIn + fanOut))`, suited to tanh and sigmoid.
  case glorot

  /// He before a ReLU, Glorot before anything else.
  public static func suited(to activation: Activation) -> WeightInit {
    activation == .relu ? .he : .glorot
  }

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

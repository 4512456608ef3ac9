import GraphIR

extension Sequential {
  /// A small convolutional classifier for `[N, inChannels, side, side]` images (the
  /// fashion-mnist demo's CNN and workload W6): two 5x5 convolutions (padding 2, so each
  /// keeps its input's size) with ReLU, each followed by 2x2 max pooling, then a ReLU dense
  /// layer of `hidden` units and a linear layer to `classes` logits.
  ///
  /// Params: `conv1.weight` `[channels[0], inChannels, 5, 5]`, `conv1.bias`,
  /// `conv2.weight` `[channels[1], channels[0], 5, 5]`, `conv2.bias`, `dense1.weight`
  /// `[channels[1] * (side/4)^2, hidden]`, `dense1.bias`, `dense2.weight`, `dense2.bias`.
  public static func convolutional(
    _ builder: GraphBuilder, inChannels: Int = 1, side: Int = 28, channels: [Int],
    hidden: Int, classes: Int = 10, dtype: DType = .f32
  ) throws -> Sequential {
    guard channels.count == 2 else {
      throw GraphError.invalidOperand(
        op: "Sequential.convolutional",
        expected: "two channel counts (one per convolution), got \(channels)")
    }
    let pooledSide = side / 2 / 2
    return Sequential([
      try Conv2D(
        builder, name: "conv1", inChannels: inChannels, outChannels: channels[0],
        kernel: [5, 5], padding: [2, 2], activation: .relu, dtype: dtype),
      MaxPool2D(kernel: [2, 2]),
      try Conv2D(
        builder, name: "conv2", inChannels: channels[0], outChannels: channels[1],
        kernel: [5, 5], padding: [2, 2], activation: .relu, dtype: dtype),
      MaxPool2D(kernel: [2, 2]),
      Flatten(),
      try Dense(
        builder, name: "dense1", inputs: channels[1] * pooledSide * pooledSide, outputs: hidden,
        activation: .relu, dtype: dtype),
      try Dense(builder, name: "dense2", inputs: hidden, outputs: classes, dtype: dtype),
    ])
  }
}

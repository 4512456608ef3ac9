import Foundation
import GraphCompiler
import GraphIR
import GraphTestSupport
import GraphTraining
import Testing

/// The fashion-mnist demo's CNN (`Sequential.convolutional`): its params' shapes, the
/// gradients of its integer-label loss against central differences (interpreter and
/// compiled), and a few compiled training steps that lower the loss on a small batch.
@Suite struct SequentialConvolutionalTests {
  /// Smooth, deterministic images `[n, 1, side, side]` and labels cycling through `classes`.
  static func sample(n: Int, side: Int, classes: Int) -> (Tensor, [Double]) {
    let pixels = (0..<n * side * side).map { k in 0.5 + 0.5 * sin(Double(k) * 0.37 + 0.1) }
    let labels = (0..<n).map { Double($0 % classes) }
    return (Tensor(shape: [n, 1, side, side], scalars: pixels), labels)
  }

  @Test func paramsHaveTheDocumentedShapes() throws {
    let b = GraphBuilder()
    let net = try Sequential.convolutional(b, channels: [16, 32], hidden: 128)
    #expect(
      net.parameters.map(\.type.shape) == [
        [16, 1, 5, 5], [16, 1, 1], [32, 16, 5, 5], [32, 1, 1], [32 * 7 * 7, 128], [128],
        [128, 10], [10],
      ])
    let x = try b.input("x", .f32, shape: [3, 1, 28, 28])
    #expect(try net(x).type.shape == [3, 10])
  }

  @Test func needsTwoChannelCounts() throws {
    #expect(throws: GraphError.self) {
      try Sequential.convolutional(GraphBuilder(), channels: [8], hidden: 4)
    }
  }

  /// The gradient of every param of a small instance (8x8 images, 1 and 2 channels, 2 hidden
  /// units, 2 classes), from `valueWithGradient` with integer labels: the interpreter's
  /// against central differences, and TinyCC's against the interpreter's.
  @Test func gradientsMatchFiniteDifferences() throws {
    let b = GraphBuilder()
    let x = try b.input("x", .f64, shape: [2, 1, 8, 8])
    let labels = try b.input("labels", .i32, shape: [2])
    let net = try Sequential.convolutional(
      b, side: 8, channels: [1, 2], hidden: 2, classes: 2, dtype: .f64)
    let loss = try crossEntropy(logits: net(x), labels: labels)
    let (value, gradients) = try valueWithGradient(of: loss, withRespectTo: net.parameters)
    let names = ["loss"] + gradients.indices.map { "g\($0)" }
    b.setOutputs(zip(names, [value] + gradients).map { GraphOutput($0, $1.id) })
    let (images, classes) = Self.sample(n: 2, side: 8, classes: 2)
    let inputs = ["x": images, "labels": Tensor(.i32, shape: [2], scalars: classes)]
    let (compiled, all) = try LayerTests.checkParamGradients(
      b.graph, loss, net.parameters, gradients, inputs)
    let got = try compiled.run(all)
    let expected = try Interpreter.run(b.graph, all)
    for name in names {
      let (a, e) = (try #require(got[name]), try #require(expected[name]))
      #expect(worstError(a, e) < 1e-10, "\(name)")
    }
  }

  /// The demo's step at the demo's image size (narrower): Adam, integer labels, the whole
  /// step in one compiled call. Ten steps on one batch lower its loss.
  @Test func compiledStepsLowerTheLoss() throws {
    let (batch, classes) = (16, 10)
    let b = GraphBuilder()
    let x = try b.input("image", .f32, shape: [batch, 1, 28, 28])
    let labels = try b.input("label", .i32, shape: [batch])
    let net = try Sequential.convolutional(b, channels: [4, 8], hidden: 16)
    let loss = try crossEntropy(logits: net(x), labels: labels)
    let step = try TrainingStep(
      b, loss: loss.id, parameters: net.parameters.map(\.id), optimizer: .adam)
    let trainer = try Trainer(step, options: CompileOptions(seed: 3))
    let (images, targets) = Self.sample(n: batch, side: 28, classes: classes)
    let data = [
      "image": Tensor(.f32, shape: images.shape, scalars: images.scalars),
      "label": Tensor(.i32, shape: [batch], scalars: targets),
    ]
    var losses: [Double] = []
    for _ in 0..<10 { losses.append(try trainer.train(on: data, learningRate: 0.01)) }
    #expect(losses.allSatisfy { $0.isFinite })
    // At the start the logits are small, so the loss is near log(10) = 2.30.
    #expect(abs(losses[0] - log(10.0)) < 0.5, "\(losses)")
    #expect(losses[9] < 0.8 * losses[0], "\(losses)")
  }
}

import Foundation
import GraphCompiler
import GraphData
import GraphIR
import GraphTraining
import Testing

/// One compiled training step against updates computed by hand, for the seed example's
/// loss `(w*input - target)^2` at w = 2, input = 3, target = 10, whose gradient is -24.
@Suite struct OptimizerStepTests {
  static func trainer(_ optimizer: Optimizer) throws -> Trainer {
    let b = GraphBuilder()
    let w = try b.param("w", .f64, initializer: .fill(2))
    let input = try b.input("input")
    let target = try b.input("target")
    let loss = try (w * input - target) ** 2
    return try Trainer(
      TrainingStep(b, loss: loss.id, parameters: [w.id], optimizer: optimizer),
      options: CompileOptions())
  }

  static let batch = ["input": Tensor(3), "target": Tensor(10)]

  @Test func sgd() throws {
    let t = try Self.trainer(.sgd(momentum: 0))
    let loss = try t.train(on: Self.batch, learningRate: 0.1)
    #expect(loss == 16)  // (2*3 - 10)^2
    #expect(t.parameters["w"]?.scalar == 2 - 0.1 * -24)  // 4.4
  }

  @Test func momentum() throws {
    let t = try Self.trainer(.sgd(momentum: 0.9))
    try t.train(on: Self.batch, learningRate: 0.1)
    // v1 = -24, w1 = 2 + 2.4 = 4.4; gradient at 4.4 is 2*(13.2 - 10)*3 = 19.2;
    // v2 = 0.9*(-24) + 19.2 = -2.4, w2 = 4.4 - 0.1*(-2.4) = 4.64.
    try t.train(on: Self.batch, learningRate: 0.1)
    let w = try #require(t.parameters["w"]?.scalar)
    #expect(abs(w - 4.64) < 1e-12)
  }

  @Test func adam() throws {
    let t = try Self.trainer(.adam)
    try t.train(on: Self.batch, learningRate: 0.1)
    // m = 0.1*(-24), v = 0.001*576; bias-corrected: m^ = -24, v^ = 576;
    // w = 2 - 0.1 * (-24) / (sqrt(576) + 1e-8).
    var (m, v, w) = (0.1 * -24.0, 0.001 * 576.0, 2.0)
    w -= 0.1 * (m / (1 - 0.9)) / ((v / (1 - 0.999)).squareRoot() + 1e-8)
    let got = try #require(t.parameters["w"]?.scalar)
    #expect(abs(got - w) < 1e-12)
    // Second step at the new w, by hand again.
    let g = 2 * (w * 3 - 10) * 3
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g * g
    w -= 0.1 * (m / (1 - 0.81)) / ((v / (1 - 0.999 * 0.999)).squareRoot() + 1e-8)
    try t.train(on: Self.batch, learningRate: 0.1)
    #expect(abs((t.parameters["w"]?.scalar ?? .nan) - w) < 1e-12)
  }

  @Test func learningRateChangesWithoutRecompiling() throws {
    let t = try Self.trainer(.sgd(momentum: 0))
    try t.train(on: Self.batch, learningRate: 0)
    #expect(t.parameters["w"]?.scalar == 2)
    try t.train(on: Self.batch, learningRate: 0.01)
    #expect(t.parameters["w"]?.scalar == 2 + 0.24)
  }
}

/// A small classifier: reproducible for a seed, and parameters round-trip through .npy.
@Suite struct TrainerStateTests {
  static func classifier(seed: UInt64) throws -> (Trainer, Dataset) {
    let b = GraphBuilder()
    let x = try b.input("x", .f32, shape: [8, 4])
    let y = try b.input("y", .f32, shape: [8, 3])
    let net = try Sequential(b, sizes: [4, 5, 3], hidden: .tanh)
    let loss = try Loss.softmaxCrossEntropy(logits: net(x), onehot: y)
    let step = try TrainingStep(
      b, loss: loss.id, parameters: net.parameters.map(\.id), optimizer: .adam)
    var rng = SeededGenerator(seed: 11)
    let inputs = Tensor(.f32, shape: [32, 4], scalars: (0..<128).map { _ in rng.normal() })
    let labels = try oneHot((0..<32).map { Double($0 % 3) }, classes: 3)
    return (
      try Trainer(step, options: CompileOptions(seed: seed)),
      try Dataset(["x": inputs, "y": labels])
    )
  }

  static func fit(_ trainer: Trainer, _ data: Dataset) throws -> [Double] {
    var losses: [Double] = []
    for epoch in 1...3 {
      for rows in data.batches(size: 8, seed: 1, epoch: epoch) {
        losses.append(try trainer.train(on: data.batch(rows), learningRate: 0.05))
      }
    }
    return losses
  }

  @Test func reproducibleForASeed() throws {
    let (a, data) = try Self.classifier(seed: 4)
    let (b, _) = try Self.classifier(seed: 4)
    let (c, _) = try Self.classifier(seed: 5)
    let lossesA = try Self.fit(a, data)
    #expect(try Self.fit(b, data) == lossesA)
    #expect(a.parameters == b.parameters)
    #expect(a.parameters != c.parameters)
    #expect((lossesA.last ?? .nan) < (lossesA.first ?? .nan))  // it learns
  }

  @Test func saveThenLoadIsBitExact() throws {
    let (a, data) = try Self.classifier(seed: 4)
    _ = try Self.fit(a, data)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "gc-save-\(getpid())"
    ).path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try a.save(to: folder)
    let (b, _) = try Self.classifier(seed: 99)
    try b.load(from: folder)
    for (name, value) in a.parameters {
      #expect(
        b.parameters[name]?.scalars.map(\.bitPattern) == value.scalars.map(\.bitPattern), "\(name)")
    }
  }

  @Test func loadRejectsWrongShapes() throws {
    let (a, _) = try Self.classifier(seed: 4)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gc-bad-\(getpid())")
      .path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try a.save(to: folder)
    try NPY.write(Tensor(.f32, shape: [2], scalars: [1, 2]), to: "\(folder)/layer1.weight.npy")
    #expect(throws: DataError.self) { try a.load(from: folder) }
  }
}

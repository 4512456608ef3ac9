import Foundation
import GraphCompiler
import GraphIR
import GraphTestSupport
import GraphTraining
import Testing

/// The LSTM language model at a tiny size: every param's gradient through the `scan`
/// against central differences, the compiled loss against the interpreter, the scan against
/// the cell applied step by step, and C that does not grow with the sequence length.
@Suite struct LSTMTests {
  /// Tokens `[T = 4, batch = 2]` (time-major) over 5 characters, and their next tokens.
  static let tokens = Tensor(.i64, shape: [4, 2], scalars: [0, 4, 3, 2, 3, 0, 1, 3])
  static let targets = Tensor(.i64, shape: [4, 2], scalars: [3, 2, 3, 0, 1, 3, 2, 1])

  @Test func gradientsMatchCentralDifferences() throws {
    let b = GraphBuilder()
    let tokens = try b.input("tokens", .i64, shape: [4, 2])
    let targets = try b.input("targets", .i64, shape: [4, 2])
    let model = try LSTMLanguageModel(b, vocabulary: 5, hidden: 3, dtype: .f64)
    let loss = try crossEntropy(logits: model(tokens), labels: targets)
    let (value, gradients) = try valueWithGradient(of: loss, withRespectTo: model.parameters)
    // input table, recurrent weights, head weight, head bias.
    b.outputs([
      "loss": value, "g0": gradients[0], "g1": gradients[1], "g2": gradients[2], "g3": gradients[3],
    ])
    let (compiled, inputs) = try LayerTests.checkParamGradients(
      b.graph, loss, model.parameters, gradients,
      ["tokens": Self.tokens, "targets": Self.targets])
    // The compiled loss and gradients (the C of the backward loop) against the interpreter.
    let got = try compiled.run(inputs)
    let expected = try Interpreter.run(b.graph, inputs)
    for name in ["loss", "g0", "g1", "g2", "g3"] {
      let (a, e) = (try #require(got[name]), try #require(expected[name]))
      for (p, q) in zip(a.scalars, e.scalars) {
        #expect(abs(p - q) <= 1e-12 * max(1, abs(q)), "\(name)")
      }
    }
  }

  /// The scanned logits are those of `step` applied to one time step after another,
  /// starting from zero state.
  @Test func scanIsTheCellStepByStep() throws {
    let b = GraphBuilder()
    let tokens = try b.input("tokens", .i64, shape: [4, 2])
    let model = try LSTMLanguageModel(b, vocabulary: 5, hidden: 3, dtype: .f64)
    var h = Value(b, b.constant(0, TensorType(.f64, [2, 3])))
    var c = h
    var logits: [Value] = []
    for t in 0..<4 {
      let next = try model.step(tokens[.at(t)], h, c)
      (h, c) = (next.h, next.c)
      logits.append(try reshape(next.logits, [1, 2, 5]))
    }
    b.outputs(["scanned": try model(tokens), "stepped": try concat(logits, axis: 0)])
    let compiled = try Pipeline.compile(b.graph)
    var inputs = compiled.paramDefaults
    inputs["tokens"] = Self.tokens
    let outputs = try compiled.run(inputs)
    let (scanned, stepped) = (try #require(outputs["scanned"]), try #require(outputs["stepped"]))
    #expect(scanned.shape == [4, 2, 5])
    for (p, q) in zip(scanned.scalars, stepped.scalars) {
      #expect(abs(p - q) <= 1e-12 * max(1, abs(q)))
    }
  }

  /// The training step's C for sequences of 8 and of 80 steps has the same kernels and the
  /// same length give or take the digits of the trip count and of the buffer sizes.
  @Test func stepCodeDoesNotGrowWithTheSequenceLength() throws {
    func compiled(_ length: Int) throws -> CompiledGraph {
      let b = GraphBuilder()
      let tokens = try b.input("tokens", .i64, shape: [length, 2])
      let targets = try b.input("targets", .i64, shape: [length, 2])
      let model = try LSTMLanguageModel(b, vocabulary: 5, hidden: 3)
      let loss = try crossEntropy(logits: model(tokens), labels: targets)
      let step = try TrainingStep(
        b, loss: loss.id, parameters: model.parameters.map(\.id), optimizer: .adam)
      return try Pipeline.compile(step.graph)
    }
    let (short, long) = (try compiled(8), try compiled(80))
    #expect(short.kernelCount == long.kernelCount)
    let (a, z) = (short.program.source.utf8.count, long.program.source.utf8.count)
    #expect(abs(a - z) < a / 50, "\(a) vs \(z) bytes")
  }
}

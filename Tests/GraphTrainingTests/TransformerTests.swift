import Foundation
import GraphCompiler
import GraphIR
import GraphTestSupport
import GraphTraining
import Testing

/// The transformer at a tiny size: every param's gradient against central differences, the
/// compiled loss against the interpreter, and the causal mask by experiment.
@Suite struct TransformerTests {
  static let config = TransformerConfig(vocabulary: 5, context: 4, channels: 4, heads: 2, layers: 1)

  /// Tokens `[2, 4]` and their next tokens, with a repeated token.
  static let tokens = Tensor(.i64, shape: [2, 4], scalars: [0, 3, 3, 1, 4, 2, 0, 3])
  static let targets = Tensor(.i64, shape: [2, 4], scalars: [3, 3, 1, 2, 2, 0, 3, 1])

  @Test func gradientsMatchCentralDifferences() throws {
    let b = GraphBuilder()
    let tokens = try b.input("tokens", .i64, shape: [2, 4])
    let targets = try b.input("targets", .i64, shape: [2, 4])
    let model = try Transformer(b, Self.config, dtype: .f64)
    let loss = try crossEntropy(logits: model(tokens), labels: targets)
    let (value, gradients) = try valueWithGradient(of: loss, withRespectTo: model.parameters)
    b.outputs(["loss": value])
    // wte, wpe, ln1 (2), qkv (2), proj (2), ln2 (2), fc (2), fc_proj (2), ln_f (2), head (2).
    #expect(model.parameters.count == 18)
    let (compiled, inputs) = try LayerTests.checkParamGradients(
      b.graph, loss, model.parameters, gradients,
      ["tokens": Self.tokens, "targets": Self.targets])
    let got = try #require(try compiled.run(inputs)["loss"]?.scalar)
    let expected = try #require(try Interpreter.run(b.graph, inputs)["loss"]?.scalar)
    #expect(abs(got - expected) < 1e-12 * max(1, abs(expected)))
  }

  /// Position i's logits depend only on tokens 0...i: changing the last token of a sequence
  /// changes only its last position's logits.
  @Test func attentionIsCausal() throws {
    let b = GraphBuilder()
    let tokens = try b.input("tokens", .i64, shape: [2, 4])
    let model = try Transformer(b, Self.config, dtype: .f64)
    b.outputs(["logits": try model(tokens)])
    let compiled = try Pipeline.compile(b.graph)
    var inputs = compiled.paramDefaults
    inputs["tokens"] = Self.tokens
    let before = try #require(try compiled.run(inputs)["logits"])
    inputs["tokens"]?.scalars[3] = 2
    let after = try #require(try compiled.run(inputs)["logits"])
    let v = Self.config.vocabulary
    for position in 0..<8 {
      let range = position * v..<(position + 1) * v
      let changed = zip(before.scalars[range], after.scalars[range]).contains { $0 != $1 }
      #expect(changed == (position == 3), "position \(position)")
    }
  }
}

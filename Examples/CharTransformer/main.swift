// Trains a character-level decoder-only transformer on the English text of Debian's
// `fortunes` package, with the whole step (forward, backward, Adam update) in one compiled
// call, reports the validation loss as it goes, and samples text from a compiled
// inference graph at the end.
import ArgumentParser
import CharacterModels
import Foundation
import GraphCompiler
import GraphData
import GraphIR
import GraphTraining
import TrainingOptions

struct CharTransformer: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "char-transformer",
    abstract:
      "Train a character-level transformer (4 layers, 4 heads, 128 channels, context 64) on fortunes."
  )

  @Option(name: [.long, .customLong("iters")], help: "Training steps.") var steps = 1000
  @Option(help: "Sequences per step.") var batch = 12
  @Option(help: "Peak learning rate (Adam; linear warm-up, then cosine decay to a tenth).")
  var lr = 2e-3
  @Option(help: "Transformer blocks.") var layers = 4
  @Option(help: "Attention heads.") var heads = 4
  @Option(help: "Channels of the residual stream.") var channels = 128
  @Option(help: "Context length.") var context = 64
  @Option(help: "Steps between validation losses.") var evalEvery = 250
  @OptionGroup var common: CharacterModelOptions
  @OptionGroup var distribution: DistributedOptions

  /// Sequences per validation call.
  static let evalBatch = 32

  func validate() throws {
    guard steps >= 1, batch >= 1, layers >= 1, heads >= 1, channels >= 1, context >= 2,
      evalEvery >= 1
    else {
      throw ValidationError(
        "--steps, --batch, --layers, --heads, --channels and --eval-every must be at least 1, --context at least 2"
      )
    }
    guard channels % heads == 0 else {
      throw ValidationError("--channels must be a multiple of --heads")
    }
    guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number") }
  }

  func run() throws {
    let started = Date()
    // With --distributed each rank trains on its slice of every batch; rank 0 reports.
    let mpi = try distribution.communicator()
    let quiet = (mpi?.rank ?? 0) != 0
    func log(_ message: String) { if !quiet { self.log(message) } }
    let corpus = try common.corpus(log: log)
    let unigram = corpus.unigramLoss
    guard corpus.validation.count > context, corpus.training.count > context else {
      throw ValidationError("the text is too short for a context of \(context)")
    }

    let config = TransformerConfig(
      vocabulary: corpus.vocabulary.count, context: context, channels: channels, heads: heads,
      layers: layers)
    let options = common.compileOptions
    let compileStart = Date()
    let ranks = mpi?.size ?? 1
    guard batch % ranks == 0 else {
      throw ValidationError("--batch \(batch) does not split evenly over \(ranks) ranks")
    }
    let trainer = try Trainer(
      trainingStep(config, batch: batch / ranks, ranks: ranks), options: options,
      communicator: mpi)
    let evaluator = try Pipeline.compile(lossGraph(config), options: options).makeContext()
    let sampler = try Pipeline.compile(samplingGraph(config), options: options).makeContext()
    log(
      String(
        format: "compiled the step (%d kernels), the loss and the sampler with %@ in %.1f s",
        trainer.compiled.kernelCount, common.backend, Date().timeIntervalSince(compileStart)))

    var reporter = ProgressReporter(quiet: quiet)
    let loop = WindowTraining(
      steps: steps, batch: batch, length: context, evalEvery: evalEvery,
      evalBatch: Self.evalBatch, schedule: WarmupCosineSchedule(peak: lr, steps: steps),
      seed: common.seed)
    let (curve, trainingSeconds) = try loop.run(
      trainer, evaluator: evaluator, training: corpus.training, validation: corpus.validation,
      reporter: &reporter, started: started
    ) { windowBatch($0, $1) }
    let valLoss = curve.last?.loss ?? .nan
    var distributedResult: [String: Any] = [:]
    if let mpi {
      guard let summary = try trainer.finishDistributed(mpi) else { return }
      distributedResult = summary
    }
    let text = try generate(sampler, trainer.parameters, corpus, config)
    print(text)
    let result: [String: Any] = [
      "final_backend": trainer.compiled.activeBackend.rawValue, "batch": batch, "sample": text,
    ]
    try common.report(
      result.merging(distributedResult) { _, new in new }, valLoss: valLoss, unigram: unigram,
      steps: steps, started: started, trainingSeconds: trainingSeconds)
  }

  /// The model on `batch` sequences of tokens, and its mean cross-entropy against the
  /// next tokens.
  func network(_ config: TransformerConfig, batch: Int) throws -> (
    GraphBuilder, logits: Value, loss: Value, params: [Value]
  ) {
    let b = GraphBuilder()
    let tokens = try b.input("tokens", .i64, shape: [batch, config.context])
    let targets = try b.input("targets", .i64, shape: [batch, config.context])
    let model = try Transformer(b, config)
    let logits = try model(tokens)
    return (b, logits, try crossEntropy(logits: logits, labels: targets), model.parameters)
  }

  /// Forward, backward and Adam update as one graph, for `batch` sequences on each of
  /// `ranks` ranks.
  func trainingStep(_ config: TransformerConfig, batch: Int, ranks: Int) throws -> TrainingStep {
    let (b, _, loss, params) = try network(config, batch: batch)
    return try TrainingStep(
      b, loss: loss.id, parameters: params.map(\.id), optimizer: .adam, ranks: ranks)
  }

  /// The mean loss of `evalBatch` sequences.
  func lossGraph(_ config: TransformerConfig) throws -> Graph {
    let (b, _, loss, _) = try network(config, batch: Self.evalBatch)
    b.outputs(["loss": loss])
    return Simplify.run(b.graph)
  }

  /// The next-character probabilities at every position of one sequence, logits divided by
  /// the temperature.
  func samplingGraph(_ config: TransformerConfig) throws -> Graph {
    let (b, logits, _, _) = try network(config, batch: 1)
    b.outputs(["probabilities": try softmax(logits * (1 / common.temperature), axis: 2)])
    return Simplify.run(b.graph)
  }

  /// Tokens and next tokens of the windows of `text` starting at `starts`.
  func windowBatch(_ text: [Int], _ starts: [Int]) -> [String: Tensor] {
    let tokens = starts.flatMap { text[$0..<$0 + context] }.map(Double.init)
    let targets = starts.flatMap { text[$0 + 1..<$0 + context + 1] }.map(Double.init)
    let shape = [starts.count, context]
    return [
      "tokens": Tensor(.i64, shape: shape, scalars: tokens),
      "targets": Tensor(.i64, shape: shape, scalars: targets),
    ]
  }

  /// `sample` characters after a newline, each drawn from the model's distribution given up
  /// to `context` characters before it.
  func generate(
    _ sampler: ExecutionContext, _ parameters: [String: Tensor], _ corpus: CharacterCorpus,
    _ config: TransformerConfig
  ) throws -> String {
    for (name, value) in parameters { try sampler.setInput(name, value) }
    var rng = SeededGenerator(seed: common.seed &+ 2)
    let newline = corpus.vocabulary.firstIndex(of: 10) ?? 0
    var text = [newline]
    let v = config.vocabulary
    for _ in 0..<common.sample {
      // The window is the last `context` tokens; positions past its end hold anything, and
      // the causal mask keeps them out of the position read.
      let window = Array(text.suffix(context))
      let padded = window + [Int](repeating: 0, count: context - window.count)
      try sampler.setInput(
        "tokens", Tensor(.i64, shape: [1, context], scalars: padded.map(Double.init)))
      try sampler.run()
      let p = sampler.output(at: 0).scalars[(window.count - 1) * v..<window.count * v]
      text.append(drawIndex(p, unit: rng.unit()))
    }
    return corpus.decode(Array(text.dropFirst()))
  }

  func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
  }
}

CharTransformer.main()

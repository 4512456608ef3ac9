// Trains a character-level LSTM language model on the English text of Debian's `fortunes`
// package. The recurrence is one `scan` over the time steps, so the compiled step (forward,
// backward through the loop, Adam update, all in one call) holds the cell once whatever the
// sequence length. Reports the validation loss as it goes and samples text at the end from
// a compiled one-step graph.
import ArgumentParser
import CharacterModels
import Foundation
import GraphCompiler
import GraphData
import GraphIR
import GraphTraining

struct CharRNN: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "char-rnn",
    abstract: "Train a character-level LSTM (one scan over time) on fortunes.")

  @Option(name: [.long, .customLong("iters")], help: "Training steps.") var steps = 3000
  @Option(help: "Sequences per step.") var batch = 32
  @Option(help: "Characters per sequence: the scan's trip count.") var length = 64
  @Option(help: "Units of the LSTM's state.") var hidden = 128
  @Option(help: "Peak learning rate (Adam; linear warm-up, then cosine decay to a tenth).")
  var lr = 1e-2
  @Option(help: "Steps between validation losses.") var evalEvery = 500
  @OptionGroup var common: CharacterModelOptions

  /// Sequences per validation call.
  static let evalBatch = 64

  func validate() throws {
    guard steps >= 1, batch >= 1, hidden >= 1, length >= 1, evalEvery >= 1 else {
      throw ValidationError(
        "--steps, --batch, --length, --hidden and --eval-every must be at least 1")
    }
    guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number") }
  }

  func run() throws {
    let started = Date()
    let corpus = try common.corpus(log: log)
    let unigram = corpus.unigramLoss
    guard corpus.validation.count > length * Self.evalBatch, corpus.training.count > length
    else {
      throw ValidationError("the text is too short for sequences of \(length)")
    }

    let vocabulary = corpus.vocabulary.count
    let options = common.compileOptions
    let compileStart = Date()
    let trainer = try Trainer(trainingStep(vocabulary), options: options)
    let evaluator = try Pipeline.compile(lossGraph(vocabulary), options: options).makeContext()
    let sampler = try Pipeline.compile(samplingGraph(vocabulary), options: options)
      .makeContext()
    log(
      String(
        format:
          "compiled the step (%d kernels, %d bytes of C), the loss and the sampler with %@ in %.1f s",
        trainer.compiled.kernelCount, trainer.compiled.program.source.utf8.count, common.backend,
        Date().timeIntervalSince(compileStart)))

    var reporter = ProgressReporter()
    let loop = WindowTraining(
      steps: steps, batch: batch, length: length, evalEvery: evalEvery,
      evalBatch: Self.evalBatch, schedule: WarmupCosineSchedule(peak: lr, steps: steps),
      seed: common.seed)
    let (curve, trainingSeconds) = try loop.run(
      trainer, evaluator: evaluator, training: corpus.training, validation: corpus.validation,
      reporter: &reporter, started: started
    ) { windowBatch($0, $1) }
    let valLoss = curve.last?.loss ?? .nan
    let text = try generate(sampler, trainer.parameters, corpus)
    print(text)
    let result: [String: Any] = [
      "final_backend": trainer.compiled.activeBackend.rawValue, "batch": batch,
      "length": length, "hidden": hidden, "step_kernels": trainer.compiled.kernelCount,
      "step_c_bytes": trainer.compiled.program.source.utf8.count, "sample": text,
    ]
    try common.report(
      result, valLoss: valLoss, unigram: unigram, steps: steps, started: started,
      trainingSeconds: trainingSeconds)
  }

  /// The model on `batch` sequences of `length` tokens (time-major), and its mean
  /// cross-entropy against the next tokens.
  func network(_ vocabulary: Int, batch: Int) throws -> (GraphBuilder, loss: Value, [Value]) {
    let b = GraphBuilder()
    let tokens = try b.input("tokens", .i64, shape: [length, batch])
    let targets = try b.input("targets", .i64, shape: [length, batch])
    let model = try LSTMLanguageModel(b, vocabulary: vocabulary, hidden: hidden)
    let loss = try crossEntropy(logits: model(tokens), labels: targets)
    return (b, loss, model.parameters)
  }

  /// Forward, backward through the scan, and Adam update as one graph.
  func trainingStep(_ vocabulary: Int) throws -> TrainingStep {
    let (b, loss, params) = try network(vocabulary, batch: batch)
    return try TrainingStep(b, loss: loss.id, parameters: params.map(\.id), optimizer: .adam)
  }

  /// The mean loss of `evalBatch` sequences.
  func lossGraph(_ vocabulary: Int) throws -> Graph {
    let (b, loss, _) = try network(vocabulary, batch: Self.evalBatch)
    b.outputs(["loss": loss])
    return Simplify.run(b.graph)
  }

  /// One step of one sequence: the next-character probabilities (logits divided by the
  /// temperature) after `token` from state `h`, `c`, and the next state.
  func samplingGraph(_ vocabulary: Int) throws -> Graph {
    let b = GraphBuilder()
    let token = try b.input("token", .i64, shape: [1])
    let h = try b.input("h", .f32, shape: [1, hidden])
    let c = try b.input("c", .f32, shape: [1, hidden])
    let model = try LSTMLanguageModel(b, vocabulary: vocabulary, hidden: hidden)
    let next = try model.step(token, h, c)
    b.outputs([
      "probabilities": try softmax(next.logits * (1 / common.temperature), axis: 1), "h": next.h,
      "c": next.c,
    ])
    return Simplify.run(b.graph)
  }

  /// Tokens and next tokens of the windows of `text` starting at `starts`, time-major
  /// (`[length, starts.count]`).
  func windowBatch(_ text: [Int], _ starts: [Int]) -> [String: Tensor] {
    let tokens = (0..<length).flatMap { t in starts.map { Double(text[$0 + t]) } }
    let targets = (0..<length).flatMap { t in starts.map { Double(text[$0 + t + 1]) } }
    let shape = [length, starts.count]
    return [
      "tokens": Tensor(.i64, shape: shape, scalars: tokens),
      "targets": Tensor(.i64, shape: shape, scalars: targets),
    ]
  }

  /// `sample` characters after a newline, each drawn from the model's distribution given the
  /// state after every character before it (the state starts at zero, as in training).
  func generate(
    _ sampler: ExecutionContext, _ parameters: [String: Tensor], _ corpus: CharacterCorpus
  ) throws -> String {
    for (name, value) in parameters { try sampler.setInput(name, value) }
    let zero = Tensor(.f32, shape: [1, hidden], scalars: Array(repeating: 0, count: hidden))
    try sampler.setInput("h", zero)
    try sampler.setInput("c", zero)
    var rng = SeededGenerator(seed: common.seed &+ 2)
    var token = corpus.vocabulary.firstIndex(of: 10) ?? 0
    var text: [Int] = []
    for _ in 0..<common.sample {
      try sampler.setInput("token", Tensor(.i64, shape: [1], scalars: [Double(token)]))
      try sampler.run()
      guard let p = sampler.output("probabilities")?.scalars, let h = sampler.output("h"),
        let c = sampler.output("c")
      else { preconditionFailure("the sampler lost an output") }
      token = drawIndex(p[...], unit: rng.unit())
      text.append(token)
      try sampler.setInput("h", h)
      try sampler.setInput("c", c)
    }
    return corpus.decode(text)
  }

  func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
  }
}

CharRNN.main()

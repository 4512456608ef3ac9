import Foundation
import GraphCompiler
import GraphIR
import GraphTraining

/// W7: one training step (forward, backward, Adam) of the char-transformer example's model
/// at its size (4 layers, 4 heads, 128 channels, context 64, batch 12, the 97 characters of
/// the fortunes text), against the same step written by hand in C with OpenBLAS
/// (`kernels/reference/w7_transformer.c`), one thread, in the same run.
struct TransformerWorkload {
  let config = TransformerConfig.small(vocabulary: 97)
  let batch = 12
  let learningRate = 1e-3

  /// The step graph and the names of its parameters, in the order the C takes them.
  func step() throws -> TrainingStep {
    let b = GraphBuilder()
    let tokens = try b.input("tokens", .i64, shape: [batch, config.context])
    let targets = try b.input("targets", .i64, shape: [batch, config.context])
    let model = try Transformer(b, config)
    let loss = try crossEntropy(logits: model(tokens), labels: targets)
    return try TrainingStep(
      b, loss: loss.id, parameters: model.parameters.map(\.id), optimizer: .adam)
  }

  /// Seeded tokens and next tokens.
  func data() -> (tokens: [Int64], targets: [Int64]) {
    var rng = SeededGenerator(seed: 11)
    let count = batch * config.context
    let tokens = (0...count).map { _ in Int64(rng.next() % UInt64(config.vocabulary)) }
    return (Array(tokens.dropLast()), Array(tokens.dropFirst()))
  }

  /// Time the hand-written step and graphc's under each backend, interleaved; the compile of the whole
  /// step from the model's Swift definition to the first result with TinyCC; and check that
  /// both steps compute the same update. Adam's second moments start at 1 in both, so the
  /// first update is close to linear in the gradient (`lr * 10 m / sqrt(1000 v)` with
  /// `v` near 1) and comparing updates compares gradients.
  @MainActor func run(_ reference: ReferenceKernels, runs: Int) throws {
    let step = try step()
    let (tokens, targets) = data()
    let defaults = try Pipeline.compile(step.graph, options: CompileOptions(backend: .tcc))
      .paramDefaults
    let start = step.parameters.map { name in
      defaults[name].map { $0.scalars.map(Float.init) } ?? []
    }
    let sizes = [
      batch, config.context, config.channels, config.heads, config.layers, config.vocabulary,
    ]
    .map(Int32.init)

    // The hand-written step on its own copies (it updates them in place).
    func table(_ values: [[Float]]) -> UnsafeMutablePointer<UnsafeMutablePointer<Float>> {
      let pointers = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(
        capacity: values.count)
      pointers.initialize(from: values.map(heapCopy), count: values.count)
      return pointers
    }
    let ones = start.map { [Float](repeating: 1, count: $0.count) }
    let zeros = start.map { [Float](repeating: 0, count: $0.count) }
    let (p, m, v) = (table(start), table(zeros), table(ones))
    let firstLoss = reference.w7(sizes, p, m, v, tokens, targets, Float(learningRate), 1)
    let handUpdate = start.indices.map { k in (0..<start[k].count).map { p[k][$0] - start[k][$0] } }
    var t: Int32 = 1
    let handStep = {
      t += 1
      _ = reference.w7(sizes, p, m, v, tokens, targets, Float(learningRate), t)
    }

    var variants: [(name: String, run: () throws -> Void, note: String)] = []
    for (name, ctx) in contexts(step.graph) {
      try ctx.setInput(
        "tokens", Tensor(.i64, shape: [batch, config.context], scalars: tokens.map(Double.init)))
      try ctx.setInput(
        "targets", Tensor(.i64, shape: [batch, config.context], scalars: targets.map(Double.init)))
      try ctx.setInput(TrainingStep.learningRateInput, Tensor(learningRate, dtype: .f32))
      try ctx.setInput(TrainingStep.stepInput, Tensor(1, dtype: .f32))
      for (name, value) in defaults { try ctx.setInput(name, value) }
      for (name, type) in step.state where name.hasPrefix("gc.v[") {
        try ctx.setInput(name, Tensor(filling: 1, type))
      }
      try ctx.run()
      let loss = ctx.output(at: 0).scalars[0]
      var worst = 0.0
      for (k, param) in step.parameters.enumerated() {
        guard let next = ctx.output("gc.next[\(param)]") else { continue }
        for (j, value) in next.scalars.enumerated() {
          let update = value - Double(start[k][j])
          let scale = max(abs(Double(handUpdate[k][j])), 1e-3 * learningRate)
          worst = max(worst, abs(update - Double(handUpdate[k][j])) / scale)
        }
      }
      let note =
        "first-step loss \(String(format: "%.5f", loss)) (C: \(String(format: "%.5f", firstLoss))); "
        + "update rel. diff \(String(format: "%.1e", worst)); \(ctx.compiled.kernelCount) kernels"
      variants.append((name, { try ctx.run() }, note))
    }
    // One call of each in turn per round, so a change in the machine's load falls on all.
    let times = try interleavedMedianMilliseconds(runs: runs, [handStep] + variants.map(\.run))
    report("W7", "hand C + OpenBLAS (transformer step, Adam)", times[0], vs: nil)
    for (variant, ms) in zip(variants, times.dropFirst()) {
      report("W7", variant.name, ms, vs: times[0], note: variant.note)
    }

    // The model's definition to a callable step with TinyCC (build the graph, differentiate,
    // optimise, lower, emit C, compile), and to its first result (one step more).
    nonisolated(unsafe) var compiled: CompiledGraph?
    let compile = try medianMilliseconds(runs: runs) {
      compiled = try Pipeline.compile(self.step().graph, options: CompileOptions(backend: .tcc))
    }
    report("W7", "model to compiled step, graphc tcc", compile, vs: nil, note: "target <= 50 ms")
    if let compiled {
      let graph = try self.step().graph
      report(
        "W7", "of which optimise, lower, write C (\(compiled.source.utf8.count / 1024) KiB)",
        try medianMilliseconds(runs: runs) { _ = try Pipeline.emitC(graph, annotate: false) },
        vs: nil)
    }
    let first = try medianMilliseconds(runs: runs) {
      let ctx = try Pipeline.compile(self.step().graph, options: CompileOptions(backend: .tcc))
        .makeContext()
      try ctx.setInput(
        "tokens", Tensor(.i64, shape: [batch, config.context], scalars: tokens.map(Double.init)))
      try ctx.run()
    }
    report("W7", "model to first step's result, graphc tcc", first, vs: nil)
  }
}

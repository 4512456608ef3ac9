import Foundation
import GraphCompiler
import GraphIR

/// Pieces the character-level language-model examples share: the learning-rate schedule,
/// the validation loss over many windows, and drawing a token from a distribution.

/// A learning rate that rises linearly over the first 5% of `steps` to `peak`, then decays
/// along a cosine to a tenth of it at the last step.
public struct WarmupCosineSchedule: Sendable {
  public let peak: Double
  public let steps: Int

  public init(peak: Double, steps: Int) {
    self.peak = peak
    self.steps = steps
  }

  /// The rate of step `step` (counted from 1).
  public func callAsFunction(_ step: Int) -> Double {
    let warmup = max(1, steps / 20)
    if step <= warmup { return peak * Double(step) / Double(warmup) }
    let progress = Double(step - warmup) / Double(max(1, steps - warmup))
    return peak * (0.1 + 0.9 * 0.5 * (1 + cos(Double.pi * progress)))
  }
}

/// The mean of a compiled loss (its output 0) over `starts` in whole batches of `batchSize`
/// (the last few that do not fill one are left out), each batch's inputs made by
/// `inputs`; `parameters` are set first.
public func meanLoss(
  _ evaluator: ExecutionContext, parameters: [String: Tensor], over starts: [Int],
  batchSize: Int, inputs: ([Int]) -> [String: Tensor]
) throws -> Double {
  for (name, value) in parameters { try evaluator.setInput(name, value) }
  let batches = max(1, starts.count / batchSize)
  var total = 0.0
  for k in 0..<batches {
    let chunk = Array(starts[k * batchSize..<min((k + 1) * batchSize, starts.count)])
    for (name, value) in inputs(chunk) { try evaluator.setInput(name, value) }
    try evaluator.run()
    total += evaluator.output(at: 0).scalars[0]
  }
  return total / Double(batches)
}

/// The index that `unit` (uniform in [0, 1)) picks from `weights` (non-negative, not
/// necessarily summing to 1): the first whose running sum passes `unit` times the total;
/// the last one when rounding leaves the sum short.
public func drawIndex(_ weights: ArraySlice<Double>, unit: Double) -> Int {
  var u = unit * weights.reduce(0, +)
  for (k, w) in zip(0..., weights) {
    u -= w
    if u < 0 { return k }
  }
  return weights.count - 1
}

/// The training loop of the character-level examples: `steps` steps on `batch` windows of
/// `length` characters drawn at random from the training text, with a validation loss every
/// `evalEvery` steps and after the last.
public struct WindowTraining {
  public var steps: Int
  public var batch: Int
  public var length: Int
  public var evalEvery: Int
  /// Windows per call of the compiled loss.
  public var evalBatch: Int
  public var schedule: WarmupCosineSchedule
  /// Seeds the draw of the windows.
  public var seed: UInt64

  public init(
    steps: Int, batch: Int, length: Int, evalEvery: Int, evalBatch: Int,
    schedule: WarmupCosineSchedule, seed: UInt64
  ) {
    self.steps = steps
    self.batch = batch
    self.length = length
    self.evalEvery = evalEvery
    self.evalBatch = evalBatch
    self.schedule = schedule
    self.seed = seed
  }

  /// Trains `trainer` on `training`; in a data-parallel run every rank draws the same
  /// windows and trains on its slice of them. The validation windows do not overlap and
  /// come in order: the reports in between use every eighth, the last all of them.
  /// `inputs` makes a step's or an evaluation's inputs from a text and window starts;
  /// `report` gets each validation line. Returns the validation losses by step and the
  /// seconds spent in training steps (not in validation).
  public func run(
    _ trainer: Trainer, evaluator: ExecutionContext, training: [Int], validation: [Int],
    reporter: inout ProgressReporter, started: Date,
    inputs: ([Int], [Int]) -> [String: Tensor]
  ) throws -> (curve: [(step: Int, loss: Double)], trainingSeconds: Double) {
    let windows = Array(stride(from: 0, to: validation.count - length, by: length))
    var rng = SeededGenerator(seed: seed &+ 1)
    var curve: [(step: Int, loss: Double)] = []
    var running = 0.0
    var trainingSeconds = 0.0
    for step in 1...steps {
      let starts = (0..<batch).map { _ in Int(rng.next() % UInt64(training.count - length)) }
      let stepStart = Date()
      let loss = try trainer.train(
        on: inputs(training, try trainer.localRows(starts)), learningRate: schedule(step))
      trainingSeconds += Date().timeIntervalSince(stepStart)
      running = step == 1 ? loss : 0.98 * running + 0.02 * loss
      reporter.step(epoch: 1, epochs: 1, done: step, total: steps, loss: running)
      guard step % evalEvery == 0 || step == steps else { continue }
      let subset =
        step == steps ? windows : windows.enumerated().filter { $0.offset % 8 == 0 }.map(\.element)
      let validationLoss = try meanLoss(
        evaluator, parameters: trainer.parameters, over: subset, batchSize: evalBatch
      ) { inputs(validation, $0) }
      curve.append((step, validationLoss))
      reporter.epochDone(
        String(
          format: "step %d/%d  train loss %.4f  val loss %.4f%@  (%.0f ms/step, now %@; %.0f s)",
          step, steps, running, validationLoss, step == steps ? " (all windows)" : "",
          1000 * trainingSeconds / Double(step), trainer.compiled.activeBackend.rawValue,
          Date().timeIntervalSince(started)))
    }
    return (curve, trainingSeconds)
  }
}

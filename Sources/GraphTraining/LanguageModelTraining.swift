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

/// Wall-clock measurements for `bench` and `train`.
enum Timing {
  /// Milliseconds `body` takes.
  static func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let elapsed = try ContinuousClock().measure(body)
    let (seconds, attoseconds) = elapsed.components
    return Double(seconds) * 1e3 + Double(attoseconds) * 1e-15
  }

  /// Times `body` at least `minimum` and at most `maximum` times, stopping once the
  /// measured calls have taken `budget` milliseconds, and returns the median time in
  /// milliseconds and the number of calls.
  static func median(
    minimum: Int, maximum: Int, budget: Double, _ body: () throws -> Void
  ) rethrows -> (milliseconds: Double, repeats: Int) {
    var samples: [Double] = []
    var total = 0.0
    while samples.count < maximum && (samples.count < minimum || total < budget) {
      let sample = try milliseconds(body)
      samples.append(sample)
      total += sample
    }
    samples.sort()
    let middle = samples.count / 2
    let median =
      samples.count % 2 == 1 ? samples[middle] : (samples[middle - 1] + samples[middle]) / 2
    return (median, samples.count)
  }
}

import GraphIR

/// The worst elementwise error `|a - b| / max(1, |a|, |b|)` between two tensors of one shape:
/// relative for large values, absolute below 1. Equal non-finite values (NaN and NaN, inf and
/// inf) count as 0; a shape mismatch or any other non-finite difference is infinite.
public func worstError(_ a: Tensor, _ b: Tensor) -> Double {
  guard a.shape == b.shape else { return .infinity }
  var worst = 0.0
  for (x, y) in zip(a.scalars, b.scalars) {
    let e: Double
    if x.isNaN || y.isNaN {
      e = x.isNaN && y.isNaN ? 0 : .infinity
    } else if !x.isFinite || !y.isFinite {
      e = x == y ? 0 : .infinity
    } else {
      e = abs(x - y) / max(1, abs(x), abs(y))
    }
    worst = max(worst, e)
  }
  return worst
}

/// True when `worstError(a, b) <= tolerance`.
public func isClose(_ a: Tensor, _ b: Tensor, tolerance: Double = 1e-9) -> Bool {
  worstError(a, b) <= tolerance
}

/// A tensor of `shape` with deterministic, varied, non-integer entries in about [-2, 2]
/// (SplitMix64 under `seed`), for derivative tests away from kinks and ties.
public func sampleTensor(_ shape: [Int], seed: UInt64 = 1, dtype: DType = .f64) -> Tensor {
  var rng = SeededGenerator(seed: seed)
  let count = shape.reduce(1, *)
  return Tensor(dtype, shape: shape, scalars: (0..<count).map { _ in 4 * rng.unit() - 2 })
}

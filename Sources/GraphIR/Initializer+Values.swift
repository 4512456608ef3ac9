import Foundation

/// A small deterministic random generator (SplitMix64): the same seed gives the same
/// numbers on every machine, which makes `--seed` reproducible.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform on [0, 1) with 53 random bits.
  public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// Two independent standard normals (Marsaglia's polar method: one `log` and one square
  /// root per pair, no trigonometry; about 21% of candidate pairs are rejected).
  public mutating func normalPair() -> (Double, Double) {
    while true {
      let u = 2 * unit() - 1
      let v = 2 * unit() - 1
      let s = u * u + v * v
      if s > 0 && s < 1 {
        let scale = (-2 * Foundation.log(s) / s).squareRoot()
        return (u * scale, v * scale)
      }
    }
  }

  /// One standard normal.
  public mutating func normal() -> Double { normalPair().0 }
}

/// Seeded values of a param, deterministic for (seed, name).
extension Initializer {
  /// The starting value of the param `name` of `type` under `seed`. Each param gets its own
  /// stream (the seed mixed with a hash of the name that does not vary between runs).
  public func values(_ type: TensorType, seed: UInt64, name: String) -> Tensor {
    var rng = SeededGenerator(seed: seed ^ stableHash(name))
    let scalars: [Double]
    switch self {
    case .fill(let v): scalars = Array(repeating: v, count: type.count)
    case .normal(let std):
      var values = [Double]()
      values.reserveCapacity(type.count)
      while values.count < type.count {
        let (a, b) = rng.normalPair()
        values.append(std * a)
        if values.count < type.count { values.append(std * b) }
      }
      scalars = values
    case .uniform(let lo, let hi):
      scalars = (0..<type.count).map { _ in lo + (hi - lo) * rng.unit() }
    }
    return Tensor(type.dtype, shape: type.shape, scalars: scalars)
  }
}

/// FNV-1a over UTF-8: a hash that is the same in every process (Swift's `Hasher` is not).
public func stableHash(_ text: String) -> UInt64 {
  var h: UInt64 = 0xcbf2_9ce4_8422_2325
  for byte in text.utf8 {
    h ^= UInt64(byte)
    h = h &* 0x100_0000_01b3
  }
  return h
}

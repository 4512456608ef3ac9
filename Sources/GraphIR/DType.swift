/// The element type of a tensor: IEEE single or double precision.
public enum DType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  case f32
  case f64

  /// The C type that holds one element.
  public var cName: String { self == .f32 ? "float" : "double" }

  /// Bytes per element.
  public var byteSize: Int { self == .f32 ? 4 : 8 }

  /// Rounds a double to the nearest value this dtype can hold (identity for f64).
  public func round(_ value: Double) -> Double {
    self == .f32 ? Double(Float(value)) : value
  }

  public var description: String { rawValue }
}

/// The type of a graph value: a dtype and a row-major shape (empty for a scalar).
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
  public var dtype: DType
  public var shape: [Int]

  public init(_ dtype: DType, _ shape: [Int] = []) {
    self.dtype = dtype
    self.shape = shape
  }

  /// A scalar of the given dtype.
  public static func scalar(_ dtype: DType) -> TensorType { TensorType(dtype, []) }

  public var rank: Int { shape.count }
  public var isScalar: Bool { shape.isEmpty }

  /// Number of elements (1 for a scalar).
  public var count: Int { shape.reduce(1, *) }

  /// Row-major strides in elements.
  public var strides: [Int] { contiguousStrides(shape) }

  /// Same dtype, other shape.
  public func with(shape: [Int]) -> TensorType { TensorType(dtype, shape) }

  /// `f64` for a scalar, `f32[128,784]` for a tensor: the form used in messages and the IR.
  public var description: String {
    shape.isEmpty ? dtype.rawValue : "\(dtype)[\(shape.map(String.init).joined(separator: ","))]"
  }
}

/// Row-major (C order) strides of a shape, in elements.
public func contiguousStrides(_ shape: [Int]) -> [Int] {
  var strides = [Int](repeating: 1, count: shape.count)
  var running = 1
  for axis in shape.indices.reversed() {
    strides[axis] = running
    running *= shape[axis]
  }
  return strides
}

/// The largest number of elements one tensor may have (2^34, 64 GiB of f32).
///
/// Anything bigger is an error before allocation, not an out-of-memory crash.
public let maximumElementCount = 1 << 34

/// The most nodes one graph may have while it is built. Above any model written by hand (a
/// 10,000-line file with its gradient has a few hundred thousand), it stops what grows
/// exponentially, such as `grad` nested 20 deep, with an error after building a million
/// nodes rather than after minutes of work and gigabytes of memory; the largest graph it
/// lets through still compiles in well under half a minute.
public let maximumNodeCount = 1 << 20

/// The most axes one tensor may have (far more than any real tensor has); `--set` arrays nest
/// at most this deep too.
public let maximumRank = 64

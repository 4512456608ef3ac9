/// The element type of a tensor: IEEE single or double precision, or a 32- or 64-bit signed
/// integer (for indices, labels and counts).
///
/// Whatever the dtype, `Tensor` holds elements as `Double`: integers are exact in a double up
/// to 2^53 in magnitude, far beyond any index or count a tensor can have (`maximumElementCount`
/// is 2^34). Integer arithmetic beyond that range is not supported.
public enum DType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  case f32
  case f64
  case i32
  case i64

  /// The float dtypes, `f32` and `f64` (what "every dtype" means for float math).
  public static let floats: [DType] = [.f32, .f64]

  /// True for `i32` and `i64`.
  public var isInteger: Bool { self == .i32 || self == .i64 }

  /// True for `f32` and `f64`.
  public var isFloat: Bool { !isInteger }

  /// The C type that holds one element (`long long` is at least 64 bits in C99, and needs
  /// no system header).
  public var cName: String {
    switch self {
    case .f32: "float"
    case .f64: "double"
    case .i32: "int"
    case .i64: "long long"
    }
  }

  /// Bytes per element.
  public var byteSize: Int { self == .f32 || self == .i32 ? 4 : 8 }

  /// The dtype a sum accumulates in: f64 for floats (f32 sums of many terms lose digits
  /// fast), i64 for integers.
  public var accumulator: DType { isInteger ? .i64 : .f64 }

  /// Rounds a double to the nearest value this dtype can hold (identity for f64). For an
  /// integer dtype this is C's conversion: toward zero, and i32 wraps around modulo 2^32 as
  /// two's complement hardware does; NaN, infinities and values beyond 2^63 (undefined in C)
  /// become 0 here.
  public func round(_ value: Double) -> Double {
    switch self {
    case .f32: return Double(Float(value))
    case .f64: return value
    case .i32, .i64:
      guard value.isFinite, Swift.abs(value) < 0x1p63 else { return 0 }
      let whole = Int64(value.rounded(.towardZero))
      return self == .i32 ? Double(Int32(truncatingIfNeeded: whole)) : Double(whole)
    }
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

/// A concrete tensor value: a dtype, a row-major shape and its elements.
///
/// Elements are stored as `Double` whatever the dtype; f32 values are kept rounded to float,
/// integer values to whole numbers of their dtype (see `DType.round`).
public struct Tensor: Equatable, Sendable, CustomStringConvertible {
  public var dtype: DType
  public var shape: [Int]
  public var scalars: [Double]

  /// A tensor with the given elements in row-major order. Precondition: counts agree.
  public init(_ dtype: DType = .f64, shape: [Int], scalars: [Double]) {
    precondition(shape.reduce(1, *) == scalars.count, "tensor shape and element count disagree")
    self.dtype = dtype
    self.shape = shape
    self.scalars = dtype == .f64 ? scalars : scalars.map(dtype.round)
  }

  /// A tensor whose elements are already values of `dtype` (read back from a float
  /// buffer, say), so they are not rounded again. Precondition: counts agree.
  public init(_ dtype: DType, shape: [Int], exactly scalars: [Double]) {
    precondition(shape.reduce(1, *) == scalars.count, "tensor shape and element count disagree")
    self.dtype = dtype
    self.shape = shape
    self.scalars = scalars
  }

  /// A scalar.
  public init(_ value: Double, dtype: DType = .f64) {
    self.init(dtype, shape: [], scalars: [value])
  }

  /// A tensor filled with one value.
  public init(filling value: Double, _ type: TensorType) {
    self.init(type.dtype, shape: type.shape, scalars: Array(repeating: value, count: type.count))
  }

  /// The type of this value.
  public var type: TensorType { TensorType(dtype, shape) }

  /// The only element of a scalar (or of a one-element tensor).
  public var scalar: Double? { scalars.count == 1 ? scalars[0] : nil }

  public var description: String { type.description + " " + nestedDescription() }

  /// Nested brackets, as NumPy prints: `[[1, 2], [3, 4]]`.
  public func nestedDescription(format: (Double) -> String = formatNumber) -> String {
    func level(_ axis: Int, _ offset: Int) -> String {
      if axis == shape.count { return format(scalars[offset]) }
      let stride = shape[(axis + 1)...].reduce(1, *)
      let parts = (0..<shape[axis]).map { level(axis + 1, offset + $0 * stride) }
      return "[" + parts.joined(separator: ", ") + "]"
    }
    return level(0, 0)
  }
}

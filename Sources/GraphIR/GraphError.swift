import Foundation

/// A mistake in a graph that its author can make (and fix): bad shapes, axes, names or sizes.
///
/// All wording lives in `description`, so messages stay consistent and testable. `op` is the
/// name the user wrote (`+`, `@`, `concat`), so messages point at their own code.
public enum GraphError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Operand shapes that do not fit together.
  case shapeMismatch(op: String, operands: [TensorType])
  /// Operands of different dtypes.
  case dtypeMismatch(op: String, operands: [TensorType])
  /// A float-only op (`exp`, `/`, `@`, ...) applied to an integer value.
  case needsFloat(op: String, type: TensorType)
  /// Indices that are not integers.
  case needsInteger(op: String, type: TensorType)
  /// A literal with a fraction meeting an integer value.
  case notWhole(value: Double, dtype: DType)
  /// A derivative with respect to an integer value: no gradient flows through integers.
  case notDifferentiable(op: String, type: TensorType)
  /// An axis outside `-rank ..< rank`.
  case badAxis(op: String, axis: Int, rank: Int)
  /// An operand that is not of a kind the op accepts (with a sentence saying what was wanted).
  case invalidOperand(op: String, expected: String)
  /// A tensor with more elements than graphc allows, or a negative dimension.
  case tooLarge(shape: [Int])
  /// A graph that grew past `maximumNodeCount` nodes.
  case tooManyNodes(Int)
  /// A tensor with more than `maximumRank` axes.
  case tooManyAxes(Int)
  /// A value that must be a scalar is not.
  case notScalar(op: String, type: TensorType)
  /// Two inputs or params with one name.
  case duplicateName(String)
  /// A derivative graphc does not implement (`function` is the op whose derivative is
  /// missing, `reason` says which orders of the user's function are available).
  case noDerivative(function: String, reason: String)
  /// Values that together need more memory than the machine has (see `MemoryBudget`).
  case exceedsMemory(name: String, type: TensorType, bytes: UInt64, available: UInt64)

  private static let infix: Set<String> = [
    "+", "-", "*", "/", "^", "@", "<", "<=", ">", ">=", "==", "!=",
  ]

  public var description: String {
    switch self {
    case .shapeMismatch(let op, let operands):
      "shape mismatch in '\(op)': \(Self.list(op, operands))"
    case .dtypeMismatch(let op, let operands):
      "dtype mismatch in '\(op)': \(Self.list(op, operands))"
        + (operands.contains { $0.dtype.isInteger } && operands.contains { $0.dtype.isFloat }
          ? " (integer and float values do not mix: convert one with f32(), f64(), i32() or i64())"
          : "")
    case .needsFloat(let op, let type):
      "'\(op)' needs a float value (f32 or f64), got \(type); convert it with f64() or f32()"
    case .needsInteger(let op, let type):
      "'\(op)' needs integer indices (i32 or i64), got \(type); convert them with i64()"
    case .notWhole(let value, let dtype):
      "the number \(formatNumber(value)) meets an \(dtype) value but is not a whole number; "
        + "convert the integer with f64() or f32()"
    case .notDifferentiable(let op, let type):
      "'\(op)' cannot differentiate with respect to an integer value (\(type)): "
        + "no gradient flows through integers"
    case .badAxis(let op, let axis, let rank):
      rank == 0
        ? "axis \(axis) is out of range in '\(op)': a scalar has no axes"
        : "axis \(axis) is out of range in '\(op)' for a tensor of rank \(rank) "
          + "(expected \(-rank) to \(rank - 1))"
    case .invalidOperand(let op, let expected):
      "invalid operand to '\(op)': expected \(expected)"
    case .tooLarge(let shape):
      "shape [\(shape.map(String.init).joined(separator: ", "))] is too large or negative "
        + "(its axes may multiply to at most \(maximumElementCount), a zero-length axis "
        + "counting as 1)"
    case .tooManyNodes(let count):
      "the graph has grown to \(count) nodes, the most graphc builds; derivatives nested "
        + "this deep grow exponentially (a Hessian-vector product or jacobian is cheaper)"
    case .tooManyAxes(let rank):
      "a tensor of \(rank) axes has too many (at most \(maximumRank))"
    case .notScalar(let op, let type):
      "'\(op)' needs a scalar, got \(type)"
    case .duplicateName(let name):
      "'\(name)' is defined twice"
    case .noDerivative(let function, let reason):
      "the derivative of '\(function)' is not implemented: \(reason)"
    case .exceedsMemory(let name, let type, let bytes, let available):
      "'\(name)' (\(type)) is too large for this machine: its values need "
        + "\(Self.gigabytes(bytes)) with the others, and the machine has \(Self.gigabytes(available))"
    }
  }

  private static func gigabytes(_ bytes: UInt64) -> String {
    bytes == .max ? "more than 2^64 bytes" : String(format: "%.1f GB", Double(bytes) / 1e9)
  }

  private static func list(_ op: String, _ operands: [TensorType]) -> String {
    if infix.contains(op), operands.count == 2 {
      return "\(operands[0]) \(op) \(operands[1])"
    }
    return operands.map(\.description).joined(separator: ", ")
  }
}

/// Checks that a shape is non-negative and small enough to allocate and index.
///
/// The axes must multiply to at most `maximumElementCount` with every zero-length axis
/// counted as 1: then every stride, offset and loop bound of the shape fits in an `Int` (and
/// in C's `long long`) even when a zero-length axis makes the tensor empty. At most
/// `maximumRank` axes.
public func checkShape(_ shape: [Int]) throws {
  guard shape.count <= maximumRank else { throw GraphError.tooManyAxes(shape.count) }
  var extent = 1
  for dim in shape {
    guard dim >= 0 else { throw GraphError.tooLarge(shape: shape) }
    let (product, overflow) = extent.multipliedReportingOverflow(by: Swift.max(dim, 1))
    guard !overflow, product <= maximumElementCount else { throw GraphError.tooLarge(shape: shape) }
    extent = product
  }
}

import Foundation

/// The check that keeps absurd but well-formed sizes from crashing the process: before
/// any tensor's values are made, the bytes they will take are compared with the machine's
/// physical memory.
///
/// A shape can pass `checkShape` (at most 2^34 elements) and still need more memory than
/// the machine has; allocating it would abort the process. Values are held as doubles in
/// `Tensor` (8 bytes an element) and again in the kernels' own dtype.
public enum MemoryBudget {
  /// Bytes available for tensors: the machine's physical memory.
  public static var limit: UInt64 { ProcessInfo.processInfo.physicalMemory }

  /// Bytes to hold a value of `type` as a `Tensor` and in a kernel buffer.
  public static func bytes(_ type: TensorType) -> UInt64 {
    UInt64(type.count) * UInt64(8 + type.dtype.byteSize)
  }

  /// Throws `GraphError.exceedsMemory` when the values of `types` (named for the message)
  /// need more memory than the machine has, naming the largest of them.
  public static func check(_ types: [(name: String, type: TensorType)]) throws {
    var total: UInt64 = 0
    for entry in types {
      let (sum, overflow) = total.addingReportingOverflow(bytes(entry.type))
      total = overflow ? .max : sum
    }
    guard total > limit, let largest = types.max(by: { bytes($0.type) < bytes($1.type) }) else {
      return
    }
    throw GraphError.exceedsMemory(
      name: largest.name, type: largest.type, bytes: total, available: limit)
  }
}

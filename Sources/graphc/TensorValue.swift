import GraphIR

/// A value read from the command line or a file, before it meets a declared type: a
/// row-major shape and its elements.
struct TensorValue: Equatable {
  var shape: [Int]
  var scalars: [Double]
  /// For a `.npy` file, the dtype its elements have; nil for JSON numbers, which may meet
  /// any declared type (integer types need whole numbers).
  var dtype: DType? = nil
}

/// A value that cannot be read, with a message saying why.
struct ValueError: Error, Equatable {
  var message: String
  init(_ message: String) { self.message = message }
}

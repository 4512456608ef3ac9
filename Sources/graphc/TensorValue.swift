/// A value read from the command line or a file, before it meets a declared type: a
/// row-major shape and its elements.
struct TensorValue: Equatable {
  var shape: [Int]
  var scalars: [Double]
}

/// A value that cannot be read, with a message saying why.
struct ValueError: Error, Equatable {
  var message: String
  init(_ message: String) { self.message = message }
}

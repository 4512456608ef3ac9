import GraphLanguage

/// An error whose full one-line diagnostic is ready to print.
protocol SourceErrorConvertible: Error {
  /// `FILE:LINE:COL: error: ...` or `graphc: error: ...`, on one line.
  var diagnostic: String { get }
}

extension SourceError: SourceErrorConvertible {
  var diagnostic: String { description }
}

/// A failure of the command line itself: a file that cannot be read, a bad `--set`, a
/// missing input. Located at a declaration in the file when there is one to point at.
struct CommandError: SourceErrorConvertible, CustomStringConvertible {
  var diagnostic: String

  /// `graphc: error: MESSAGE`
  init(_ message: String) {
    diagnostic = "graphc: error: \(message)"
  }

  /// `FILE:LINE:COL: error: MESSAGE`, pointing into the file.
  init(_ message: String, in file: GraphFile, at position: SourcePosition) {
    diagnostic =
      SourceError(fileName: file.fileName, position: position, message: message).description
  }

  var description: String { diagnostic }
}

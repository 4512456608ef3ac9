import CCodegen
import GraphCompiler
import GraphData
import GraphIR
import GraphLanguage

/// An error whose full one-line diagnostic is ready to print.
protocol SourceErrorConvertible: Error {
  /// `FILE:LINE:COL: error: ...`, `FILE: error: ...` or `graphc: error: ...`, on one line.
  var diagnostic: String { get }
}

extension SourceError: SourceErrorConvertible {
  var diagnostic: String { description }
}

/// A data file that cannot be read: `FILE: error: ...`.
extension DataError: SourceErrorConvertible {
  var diagnostic: String { oneLine(description) }
}

/// A graph that cannot be compiled or run (a C compiler message keeps only its first line).
extension CompileError: SourceErrorConvertible {
  var diagnostic: String { "graphc: error: " + oneLine(description) }
}

/// Values that do not fit a graph's inputs (`bindArguments` reports the user's own mistakes,
/// located in the file, before this can).
extension InputError: SourceErrorConvertible {
  var diagnostic: String { "graphc: error: " + description }
}

/// A graph that cannot be written as C (a bad export name).
extension CodegenError: SourceErrorConvertible {
  var diagnostic: String { "graphc: error: " + oneLine(description) }
}

/// A graph the builder rejects (e.g. a training step with a non-scalar loss).
extension GraphError: SourceErrorConvertible {
  var diagnostic: String { "graphc: error: " + oneLine(String(describing: self)) }
}

/// The first line of `text`.
private func oneLine(_ text: String) -> String {
  String(text.prefix { $0 != "\n" })
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

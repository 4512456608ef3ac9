import GraphIR

/// A failure to compile or run a graph that a user can cause and fix.
///
/// All wording lives in `description`, so messages stay consistent and testable.
public enum CompileError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The C compiler rejected the generated text: its message and the lines around the error.
  case cCompile(message: String, excerpt: String)
  /// The code compiled but did not link (an unknown function, a missing entry point).
  case link(String)
  /// The backend failed for a reason outside the program (memory, a missing tool).
  case backend(String)
  /// Inputs the graph needs and the caller did not give, all of them.
  case missingInputs([String])
  /// Names the caller gave that are not inputs or params of the graph.
  case unknownInputs([String])
  /// An input whose shape is not the declared one.
  case wrongShape(name: String, expected: TensorType, got: [Int])
  /// Running would need more memory than the machine has.
  case tooLarge(bytes: Int)

  public var description: String {
    switch self {
    case .cCompile(let message, let excerpt):
      "generated C failed to compile: \(message)" + (excerpt.isEmpty ? "" : "\n\(excerpt)")
    case .link(let message):
      "generated C failed to link: \(message)"
    case .backend(let message):
      "the C backend failed: \(message)"
    case .missingInputs(let names):
      "missing value for " + names.map { "'\($0)'" }.joined(separator: ", ")
    case .unknownInputs(let names):
      "no input or param named " + names.map { "'\($0)'" }.joined(separator: ", ")
    case .wrongShape(let name, let expected, let got):
      "'\(name)' expects \(expected), got shape [\(got.map(String.init).joined(separator: ", "))]"
    case .tooLarge(let bytes):
      "running this graph needs \(bytes) bytes of memory, more than this machine has"
    }
  }
}

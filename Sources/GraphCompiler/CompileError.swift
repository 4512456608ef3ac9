/// A failure to compile or run a graph that a user can cause and fix. (Values that do not
/// fit the graph's inputs are an `InputError`.)
///
/// All wording lives in `description`, so messages stay consistent and testable.
public enum CompileError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The C compiler rejected the generated text: its message and the lines around the error.
  case cCompile(message: String, excerpt: String)
  /// The code compiled but did not link (an unknown function, a missing entry point).
  case link(String)
  /// The backend failed for a reason outside the program (memory, a missing tool).
  case backend(String)
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
    case .tooLarge(let bytes):
      "running this graph needs \(bytes) bytes of memory, more than this machine has"
    }
  }
}

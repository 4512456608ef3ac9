/// A value a caller passed to run a graph (compiled or interpreted) that does not fit the
/// graph's inputs: a missing or unknown name, a wrong shape, or an index out of range (found
/// while the graph runs, as indices may be computed).
///
/// The one error type for these mistakes, whichever way the graph runs. All wording lives in
/// `description`, so messages stay consistent and testable; each names the input.
public enum InputError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Inputs the graph needs and the caller did not give, all of them.
  case missing([String])
  /// Names the caller gave that are not inputs or params of the graph.
  case unknown([String])
  /// A value whose shape is not the declared one.
  case wrongShape(name: String, expected: TensorType, got: [Int])
  /// An index outside `-size ..< size` met by `caller` at `position` of its index argument.
  case indexOutOfRange(caller: IndexCaller, index: Int, axis: Int, size: Int, position: [Int])

  public var description: String {
    switch self {
    case .missing(let names):
      "missing value for " + Self.list(names)
    case .unknown(let names):
      "no input or param named " + Self.list(names)
    case .wrongShape(let name, let expected, let got):
      "'\(name)' expects \(expected), got shape [\(got.map(String.init).joined(separator: ", "))]"
    case .indexOutOfRange(let caller, let index, let axis, let size, let position):
      "\(caller.rawValue): index \(index) out of range for axis \(axis) of size \(size) "
        + "(\(caller.argument)[\(position.map(String.init).joined(separator: ", "))])"
    }
  }

  private static func list(_ names: [String]) -> String {
    names.map { "'\($0)'" }.joined(separator: ", ")
  }
}

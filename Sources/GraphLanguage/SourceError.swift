/// A place in a source file: 1-based line and column (columns count Unicode scalars).
public struct SourcePosition: Hashable, Sendable, CustomStringConvertible {
  public var line: Int
  public var column: Int

  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  /// `7:14`
  public var description: String { "\(line):\(column)" }
}

/// A mistake in a `.graph` file, located at the token that shows it.
///
/// `description` is the whole diagnostic on one line, `FILE:LINE:COL: error: MESSAGE`, the
/// form compilers use so editors and scripts can jump to it.
public struct SourceError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file name as given to the parser.
  public var fileName: String
  /// Where the mistake is.
  public var position: SourcePosition
  /// What is wrong, without the location.
  public var message: String

  public init(fileName: String, position: SourcePosition, message: String) {
    self.fileName = fileName
    self.position = position
    self.message = message
  }

  public var description: String {
    "\(singleLine(fileName)):\(position.line):\(position.column): error: \(singleLine(message))"
  }
}

/// Replaces line breaks so a diagnostic always stays on one line.
func singleLine(_ text: String) -> String {
  guard text.contains(where: \.isNewline) else { return text }
  return String(text.map { $0.isNewline ? " " : $0 })
}

/// What a token is. Names and numbers carry their text; symbols are operators and
/// punctuation; `invalid` carries the message for a character the language does not allow.
enum TokenKind: Equatable {
  case name(String)
  case number(Double, text: String)
  case symbol(String)
  case newline
  case end
  case invalid(String)
}

/// A token and where it starts.
struct Token {
  var kind: TokenKind
  var position: SourcePosition

  /// The token as messages quote it: `'x'`, `'3'`, `')'`, `end of line`.
  var quoted: String {
    switch kind {
    case .name(let text), .number(_, let text), .symbol(let text): "'\(text)'"
    case .newline: "end of line"
    case .end: "end of file"
    case .invalid(let message): message
    }
  }

  /// True for the symbol `text`.
  func isSymbol(_ text: String) -> Bool { kind == .symbol(text) }

  /// The name's text, if this is a name.
  var name: String? {
    if case .name(let text) = kind { return text }
    return nil
  }
}

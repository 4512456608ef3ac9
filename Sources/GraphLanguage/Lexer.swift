/// Splits the bytes of a `.graph` file into tokens, in one pass.
///
/// Guarantees the token list ends with `.end`, or with an `.invalid` token at the first byte
/// the language does not allow (a NUL, a byte that is not UTF-8, a stray character), so the
/// parser reports errors in file order. Columns count Unicode scalars, so a column in a
/// message matches what an editor shows.
struct Lexer {
  private let bytes: [UInt8]
  private var offset = 0
  private var line = 1
  private var column = 1
  private var tokens: [Token] = []

  /// The tokens of `bytes`.
  static func tokens(_ bytes: [UInt8]) -> [Token] {
    var lexer = Lexer(bytes: bytes)
    lexer.run()
    return lexer.tokens
  }

  private init(bytes: [UInt8]) { self.bytes = bytes }

  private static let twoCharacterSymbols: Set<String> = ["<=", ">=", "==", "!="]
  private static let oneCharacterSymbols: Set<UInt8> = Set("()[],:=+-*/@^<>".utf8)

  private var position: SourcePosition { SourcePosition(line: line, column: column) }

  private func byte(at i: Int) -> UInt8? { i < bytes.count ? bytes[i] : nil }

  private mutating func emit(_ kind: TokenKind, at position: SourcePosition) {
    tokens.append(Token(kind: kind, position: position))
  }

  private mutating func run() {
    while let b = byte(at: offset) {
      let start = position
      switch b {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
        advance(1)
      case UInt8(ascii: "\n"):
        emit(.newline, at: start)
        offset += 1
        line += 1
        column = 1
      case UInt8(ascii: "#"):
        guard skipComment() else { return }
      case _ where isNameStart(b):
        let text = take { isNameContinue($0) }
        emit(.name(text), at: start)
      case _
      where isDigit(b) || (b == UInt8(ascii: ".") && byte(at: offset + 1).map(isDigit) == true):
        guard lexNumber() else { return }
      default:
        guard lexSymbol() else { return }
      }
    }
    emit(.end, at: position)
  }

  // MARK: Pieces

  private mutating func advance(_ count: Int) {
    offset += count
    column += 1
  }

  /// Consumes ASCII bytes while `accept` holds and returns them as text.
  private mutating func take(while accept: (UInt8) -> Bool) -> String {
    let start = offset
    while let b = byte(at: offset), accept(b) { advance(1) }
    return String(decoding: bytes[start..<offset], as: UTF8.self)
  }

  /// `3`, `2.5`, `1e-3`, `.5`, `5.`: digits, an optional fraction, an optional exponent.
  private mutating func lexNumber() -> Bool {
    let start = position
    var text = take { isDigit($0) }
    if byte(at: offset) == UInt8(ascii: ".") {
      advance(1)
      text += "." + take { isDigit($0) }
    }
    if let e = byte(at: offset), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
      advance(1)
      text += "e"
      if let sign = byte(at: offset), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
        advance(1)
        text += String(UnicodeScalar(sign))
      }
      let digits = take { isDigit($0) }
      text += digits
      if digits.isEmpty {
        fail("malformed number '\(text)': expected digits after the exponent", at: start)
        return false
      }
    }
    guard let value = Double(text) else {
      fail("malformed number '\(text)'", at: start)
      return false
    }
    emit(.number(value, text: text), at: start)
    return true
  }

  private mutating func lexSymbol() -> Bool {
    let start = position
    let b = bytes[offset]
    if let next = byte(at: offset + 1) {
      let pair = String(decoding: [b, next], as: UTF8.self)
      if Self.twoCharacterSymbols.contains(pair) {
        advance(1)
        advance(1)
        emit(.symbol(pair), at: start)
        return true
      }
      if pair == "**" {
        fail("'**' is not an operator: write powers with '^'", at: start)
        return false
      }
    }
    if Self.oneCharacterSymbols.contains(b) {
      advance(1)
      emit(.symbol(String(UnicodeScalar(b))), at: start)
      return true
    }
    fail(describeUnexpected(at: offset), at: start)
    return false
  }

  /// Skips a comment to the end of the line, checking that it is valid UTF-8 without NULs.
  private mutating func skipComment() -> Bool {
    while let b = byte(at: offset), b != UInt8(ascii: "\n") {
      if b == 0 {
        fail("unexpected NUL byte", at: position)
        return false
      }
      guard let (_, length) = decodeUTF8(bytes, at: offset) else {
        fail("invalid UTF-8 byte 0x\(hex(b))", at: position)
        return false
      }
      offset += length
      column += 1
    }
    return true
  }

  /// Ends the token list with an error at `position`.
  private mutating func fail(_ message: String, at position: SourcePosition) {
    emit(.invalid(message), at: position)
  }

  /// The message for a byte that starts no token.
  private func describeUnexpected(at i: Int) -> String {
    let b = bytes[i]
    if b == 0 { return "unexpected NUL byte" }
    guard let (scalar, _) = decodeUTF8(bytes, at: i) else {
      return "invalid UTF-8 byte 0x\(hex(b))"
    }
    let digits = String(scalar.value, radix: 16, uppercase: true)
    let code = "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    if scalar.value < 0x20 || scalar.value == 0x7F { return "unexpected character \(code)" }
    if scalar.isASCII { return "unexpected character '\(scalar)'" }
    return "unexpected character '\(scalar)' (\(code))"
  }
}

private func hex(_ b: UInt8) -> String {
  let digits = String(b, radix: 16, uppercase: true)
  return digits.count == 1 ? "0" + digits : digits
}

private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

private func isNameStart(_ b: UInt8) -> Bool {
  (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
    || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
    || b == UInt8(ascii: "_")
}

private func isNameContinue(_ b: UInt8) -> Bool { isNameStart(b) || isDigit(b) }

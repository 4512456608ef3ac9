/// The identifiers a piece of C text names.
///
/// The emitter declares only what the code it wrote names: a kernel's buffer pointers, and
/// the prelude helpers of a standalone export. Strict compilers reject an unused local or
/// `static` function (`-Wall -Werror`), and asking the text which names it uses cannot
/// disagree with the text, as a hand-kept list of uses could.
enum CIdentifiers {
  /// Every identifier in `text` (keywords included) outside comments and string or
  /// character literals. A number is skipped whole, so the letters of `0x1p-3f` are not
  /// taken for a name.
  static func names(in text: String) -> Set<String> {
    names(in: text) { _ in true }
  }

  /// The identifiers of `candidates` that `text` names (as `names(in:)`). Faster on long
  /// text: an identifier whose first letter and length no candidate has is skipped without
  /// making a string of it (most of a kernel's names are locals like `t1234`).
  static func names(in text: String, among candidates: Set<String>) -> Set<String> {
    var shapes = Set<Int>()
    for name in candidates {
      if let first = name.utf8.first { shapes.insert(Int(first) << 16 | name.utf8.count) }
    }
    return names(in: text) { bytes in
      guard let first = bytes.first, shapes.contains(Int(first) << 16 | bytes.count) else {
        return false
      }
      return candidates.contains(String(decoding: bytes, as: UTF8.self))
    }
  }

  /// The identifiers in `text` that `keep` accepts (given their bytes).
  private static func names(in text: String, keep: (ArraySlice<UInt8>) -> Bool) -> Set<String> {
    let bytes = Array(text.utf8)
    var names = Set<String>()
    var i = 0
    while i < bytes.count {
      let c = bytes[i]
      if c == slash, i + 1 < bytes.count, bytes[i + 1] == star {
        i = end(of: [star, slash], in: bytes, from: i + 2)
      } else if c == slash, i + 1 < bytes.count, bytes[i + 1] == slash {
        i = end(of: [newline], in: bytes, from: i + 2)
      } else if c == quote || c == apostrophe {
        i = endOfLiteral(bytes, from: i)
      } else if isIdentifierStart(c) {
        let start = i
        while i < bytes.count, isIdentifierStart(bytes[i]) || isDigit(bytes[i]) { i += 1 }
        if keep(bytes[start..<i]) {
          names.insert(String(decoding: bytes[start..<i], as: UTF8.self))
        }
      } else if isDigit(c) {
        // A preprocessing number: digits, letters, `_` and `.` (a sign after an exponent
        // letter ends it here, and what follows starts with a digit again).
        while i < bytes.count, isIdentifierStart(bytes[i]) || isDigit(bytes[i]) || bytes[i] == dot {
          i += 1
        }
      } else {
        i += 1
      }
    }
    return names
  }

  /// The index just past the first `terminator` at or after `start` (the end of the text
  /// when there is none).
  private static func end(of terminator: [UInt8], in bytes: [UInt8], from start: Int) -> Int {
    var i = start
    while i + terminator.count <= bytes.count {
      if bytes[i..<i + terminator.count].elementsEqual(terminator) { return i + terminator.count }
      i += 1
    }
    return bytes.count
  }

  /// The index just past the string or character literal opening at `start`.
  private static func endOfLiteral(_ bytes: [UInt8], from start: Int) -> Int {
    let delimiter = bytes[start]
    var i = start + 1
    while i < bytes.count, bytes[i] != delimiter, bytes[i] != newline {
      i += bytes[i] == backslash ? 2 : 1
    }
    return min(i + 1, bytes.count)
  }

  private static func isIdentifierStart(_ c: UInt8) -> Bool {
    c == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
      || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
  }

  private static func isDigit(_ c: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
  }

  private static let slash = UInt8(ascii: "/")
  private static let star = UInt8(ascii: "*")
  private static let newline = UInt8(ascii: "\n")
  private static let quote = UInt8(ascii: "\"")
  private static let apostrophe = UInt8(ascii: "'")
  private static let backslash = UInt8(ascii: "\\")
  private static let dot = UInt8(ascii: ".")
}

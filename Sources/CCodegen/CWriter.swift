/// An indentation-aware builder of C text.
///
/// Two spaces per level; `block` opens a brace, indents the body and closes it, so callers
/// never count spaces by hand. A line longer than `width` columns is wrapped at spaces, its
/// continuation lines indented two levels deeper (C does not care where a statement breaks
/// outside literals and preprocessor lines, and the emitter writes neither through `line`).
struct CWriter {
  private(set) var text = ""
  private var depth = 0

  /// The most columns a line takes, unless a single word is longer.
  static let width = 100

  /// Appends one line at the current indentation (an empty string gives an empty line).
  mutating func line(_ s: String) {
    if s.isEmpty {
      text += "\n"
      return
    }
    let indent = String(repeating: "  ", count: depth)
    if indent.utf8.count + s.utf8.count <= Self.width || s.hasPrefix("#") {
      text += indent + s + "\n"
      return
    }
    wrap(Array(s.utf8), indent)
  }

  /// Writes `bytes` as lines of at most `width` columns (counting bytes, so a line with
  /// non-ASCII text in a comment may come out a little shorter), breaking at spaces.
  private mutating func wrap(_ bytes: [UInt8], _ indent: String) {
    let space = UInt8(ascii: " ")
    let comma = UInt8(ascii: ",")
    var start = 0
    var prefix = indent
    while start < bytes.count {
      let room = max(Self.width - prefix.utf8.count, 20)
      var end = bytes.count
      if bytes.count - start > room {
        // The last space after a comma within the room, else the last space, else the first
        // one after the room.
        var cut = start + room
        while cut > start, !(bytes[cut] == space && bytes[cut - 1] == comma) { cut -= 1 }
        if cut == start {
          cut = start + room
          while cut > start, bytes[cut] != space { cut -= 1 }
        }
        if cut == start {
          cut = start + room
          while cut < bytes.count, bytes[cut] != space { cut += 1 }
        }
        end = cut
      }
      text += prefix + String(decoding: bytes[start..<end], as: UTF8.self) + "\n"
      start = end
      while start < bytes.count, bytes[start] == space { start += 1 }
      prefix = indent + "    "
    }
  }

  /// Appends `header {`, the indented body, and `}` (plus `trailer`, e.g. `;`).
  mutating func block(_ header: String, trailer: String = "", _ body: (inout CWriter) -> Void) {
    line(header + " {")
    depth += 1
    body(&self)
    depth -= 1
    line("}" + trailer)
  }

  /// Appends pre-formatted text verbatim (the fixed prelude, a detached writer's text).
  mutating func raw(_ s: String) { text += s }

  /// An empty writer at this one's indentation, for lines that must be written before the
  /// lines that precede them (for example a body before the declarations it needs); add its
  /// text with `raw`.
  func detached() -> CWriter {
    var writer = CWriter()
    writer.depth = depth
    return writer
  }

  /// Runs `body` one level deeper without braces (for hand-written nesting).
  mutating func indented(_ body: (inout CWriter) -> Void) {
    depth += 1
    body(&self)
    depth -= 1
  }
}

/// An indentation-aware builder of C text.
///
/// Two spaces per level; `block` opens a brace, indents the body and closes it, so callers
/// never count spaces by hand.
struct CWriter {
  private(set) var text = ""
  private var depth = 0

  /// Appends one line at the current indentation (an empty string gives an empty line).
  mutating func line(_ s: String) {
    if s.isEmpty {
      text += "\n"
    } else {
      text += String(repeating: "  ", count: depth) + s + "\n"
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

import GraphIR

/// Spelling of numbers, comments and identifiers in generated C.
///
/// Numbers are written as C99 hexadecimal floating constants, which every compiler parses
/// exactly (decimal parsing is not correctly rounded in every compiler, TinyCC included).
/// f32 literals carry the `f` suffix so float code never widens to double.
enum CLiteral {
  /// A C expression with exactly the value `v` in `dtype`: `0x1.8p+1`, `0x1.99999ap-4f`,
  /// `GC_NAN`, `(-GC_INF)`. Negative values are parenthesised so they can follow any operator.
  static func number(_ value: Double, _ dtype: DType) -> String {
    let v = dtype.round(value)
    let f32 = dtype == .f32
    if v.isNaN { return f32 ? "GC_NANF" : "GC_NAN" }
    if v.isInfinite {
      let inf = f32 ? "GC_INFF" : "GC_INF"
      return v < 0 ? "(-\(inf))" : inf
    }
    let text = hex(v.magnitude) + (f32 ? "f" : "")
    return v.sign == .minus ? "(-\(text))" : text
  }

  /// The exact hexadecimal form of a finite non-negative double: `0x1.8p+1`.
  static func hex(_ m: Double) -> String {
    if m == 0 { return "0x0p+0" }
    let lead = m.isSubnormal ? 0 : 1
    let exponent = m.isSubnormal ? -1022 : Int(m.exponent)
    // Drop trailing zero nibbles numerically (string trimming is slow on this platform).
    var significand = m.significandBitPattern
    var nibbles = 13
    while nibbles > 0 && significand & 0xF == 0 {
      significand >>= 4
      nibbles -= 1
    }
    let digits = nibbles == 0 ? "" : String(significand, radix: 16)
    let padded = String(repeating: "0", count: nibbles - digits.count) + digits
    let fraction = nibbles == 0 ? "" : "." + padded
    return "0x\(lead)\(fraction)p\(exponent >= 0 ? "+" : "")\(exponent)"
  }

  /// User text made safe inside a `/* ... */` comment: printable ASCII only, no comment
  /// delimiters, no trigraphs or backslashes (which could splice lines), at most `limit`
  /// characters (then `...`).
  static func comment(_ s: String, limit: Int = 60) -> String {
    var out = ""
    for scalar in s.unicodeScalars.prefix(limit) {
      let c = scalar.value
      let safe = c >= 0x20 && c < 0x7f && scalar != "\\" && scalar != "?"
      out.unicodeScalars.append(safe ? scalar : "_")
    }
    if s.unicodeScalars.count > limit { out += "..." }
    while out.contains("*/") || out.contains("/*") {
      out = out.replacingAll("*/", with: "* /").replacingAll("/*", with: "/ *")
    }
    return out
  }

  /// True when `s` can be used verbatim inside a C identifier (`[A-Za-z_][A-Za-z0-9_]*`, at
  /// most 48 characters).
  static func isIdentifier(_ s: String) -> Bool {
    guard let first = s.unicodeScalars.first, s.unicodeScalars.count <= 48 else { return false }
    func letter(_ c: Unicode.Scalar) -> Bool {
      ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_"
    }
    return letter(first) && s.unicodeScalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
  }
}

extension String {
  /// Replaces every occurrence of `target` (non-empty) with `replacement`, left to right.
  func replacingAll(_ target: String, with replacement: String) -> String {
    var result = ""
    var rest = Substring(self)
    while let range = rest.range(of: target) {
      result += rest[..<range.lowerBound] + replacement
      rest = rest[range.upperBound...]
    }
    return result + rest
  }
}

extension Substring {
  /// The first range of `target` in this substring (a tiny search, no Foundation needed).
  func range(of target: String) -> Range<Index>? {
    let t = Array(target.utf8)
    guard !t.isEmpty else { return nil }
    var i = startIndex
    while i < endIndex {
      if self[i...].utf8.starts(with: t) {
        return i..<(utf8.index(i, offsetBy: t.count))
      }
      i = index(after: i)
    }
    return nil
  }
}

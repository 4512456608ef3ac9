import GraphIR

/// Spelling of numbers, comments and identifiers in generated C.
///
/// Numbers are written as the shortest decimal that reads back as exactly the same value
/// (`0.7`, `100.0`, `1e-07`): what a reader expects to see, and exact in every compiler we
/// target, since gcc, clang and TinyCC (which hands decimal constants to the C library's
/// correctly rounded `strtod`/`strtof`) all round decimal constants correctly; a test has
/// each of them parse a large sample and compares the bits. f32 literals are the shortest
/// decimal of the float, with the `f` suffix, so float code never widens to double.
enum CLiteral {
  /// A C expression with exactly the value `v` in `dtype`: `2.5`, `0.1f`, `100.0`,
  /// `GC_NAN`, `(-GC_INF)`, `3` (integers). Negative values are parenthesised so they can follow any operator.
  static func number(_ value: Double, _ dtype: DType) -> String {
    let v = dtype.round(value)
    if dtype.isInteger {
      // Whole and below 2^63 in magnitude after rounding; C gives an unsuffixed decimal
      // constant the first of int, long and long long that holds it.
      let text = String(Int64(v.magnitude))
      return v < 0 ? "(-\(text))" : text
    }
    let f32 = dtype == .f32
    if v.isNaN { return f32 ? "GC_NANF" : "GC_NAN" }
    if v.isInfinite {
      let inf = f32 ? "GC_INFF" : "GC_INF"
      return v < 0 ? "(-\(inf))" : inf
    }
    let text = f32 ? decimal(Float(v.magnitude)) + "f" : decimal(v.magnitude)
    return v.sign == .minus ? "(-\(text))" : text
  }

  /// The shortest decimal that round-trips, always with a `.` or an exponent so that C reads
  /// it as a floating constant: `0.7`, `100.0`, `1e-07`, `5e-324`.
  static func decimal<F: BinaryFloatingPoint & LosslessStringConvertible>(_ m: F) -> String {
    let text = m.description
    return text.contains(where: { $0 == "." || $0 == "e" }) ? text : text + ".0"
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

import GraphIR

/// Which element of a tensor a kernel reads in the current loop iteration, as C text.
///
/// `flat(e)` is a row-major offset; `multi(cs)` has one coordinate expression per axis.
/// Elementwise ops and `reshape` pass an offset straight through; broadcast, transpose,
/// slice, pad and concat need coordinates, which are recovered from an offset with div/mod
/// only when such an op is reached. Two reads with equal `IndexMapping`s are the same
/// element, which is what kernels memoise on.
enum IndexMapping: Hashable {
  case flat(String)
  case multi([String])

  /// Coordinates in a tensor of `shape`.
  func coordinates(in shape: [Int]) -> [String] {
    switch self {
    case .multi(let cs): return cs
    case .flat(let offset):
      // An empty tensor is never read (its loops run zero times); writing "0" avoids a
      // literal division by zero in the text, which C compilers warn about.
      if shape.contains(0) { return shape.map { _ in "0" } }
      let strides = contiguousStrides(shape)
      return shape.indices.map { axis in
        if shape[axis] == 1 { return "0" }
        let o = Self.operand(offset)
        var c = strides[axis] == 1 ? o : "\(o) / \(strides[axis])"
        if axis > 0 { c = "\(Self.operand(c)) % \(shape[axis])" }
        return Self.operand(c)
      }
    }
  }

  /// `e` ready to be an operand of `/`, `%` or `*`: parenthesised unless it is a single
  /// name, number or parenthesised group.
  static func operand(_ e: String) -> String {
    let simple = e.unicodeScalars.allSatisfy {
      $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)
    }
    return simple || isGroup(e) ? e : "(\(e))"
  }

  /// True when `e` is one parenthesised group: its first `(` closes at its last character.
  static func isGroup(_ e: String) -> Bool {
    guard e.hasPrefix("(") else { return false }
    var depth = 0
    for (i, c) in e.enumerated() {
      if c == "(" { depth += 1 }
      if c == ")" { depth -= 1 }
      if depth == 0 { return i == e.count - 1 }
    }
    return false
  }

  /// The row-major offset in a tensor of `shape`.
  func offset(in shape: [Int]) -> String {
    switch self {
    case .flat(let offset): return offset
    case .multi(let cs):
      let strides = contiguousStrides(shape)
      var terms: [String] = []
      for axis in shape.indices where cs[axis] != "0" && shape[axis] != 1 {
        terms.append(strides[axis] == 1 ? cs[axis] : "\(Self.operand(cs[axis])) * \(strides[axis])")
      }
      return terms.isEmpty ? "0" : terms.joined(separator: " + ")
    }
  }

  /// The operand element a `broadcast` from `source` to `shape` reads (NumPy rules).
  func broadcast(from shape: [Int], to source: [Int]) -> IndexMapping {
    let cs = coordinates(in: shape)
    let lead = shape.count - source.count
    return .multi(source.indices.map { source[$0] == 1 ? "0" : cs[$0 + lead] })
  }

  /// The operand element a `transpose(perm)` reads: operand axis `perm[k]` is result axis `k`.
  func transpose(_ perm: [Int], shape: [Int]) -> IndexMapping {
    let cs = coordinates(in: shape)
    var source = [String](repeating: "0", count: perm.count)
    for (k, axis) in perm.enumerated() { source[axis] = cs[k] }
    return .multi(source)
  }

  /// The operand element a `slice` starting at `start` reads.
  func shifted(by start: [Int], shape: [Int]) -> IndexMapping {
    let cs = coordinates(in: shape)
    return .multi(zip(cs, start).map { c, s in s == 0 ? c : "(\(c) + \(s))" })
  }
}

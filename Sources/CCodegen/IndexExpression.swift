/// An integer index expression in a canonical form: a constant plus integer multiples of
/// atoms, where an atom is a loop variable (with its extent) or a quotient or remainder that
/// could not be simplified away.
///
/// Division and remainder simplify by the ranges of the variables, as integer arithmetic on
/// non-negative values allows:
/// - `(q*d + r) / d = q + r / d` and `(q*m + r) % m = r % m` for terms `q*d`, `q*m`
///   divisible by the divisor and a non-negative rest `r`;
/// - `r / d = 0` and `r % m = r` when `0 <= r < d` (or `< m`).
///
/// So the coordinates of the row-major offset `i0*24 + i1` in a 4×24 tensor come out as `i0`
/// and `i1`, not as `(i0*24 + i1) / 24` and `(i0*24 + i1) % 24`: a reshape, broadcast or slice
/// after another costs no division in the generated C. An expression that may be negative is
/// never split (C's `/` truncates towards zero). Two expressions of the same value written the
/// same way compare equal, which is what kernels memoise reads on.
struct IndexExpression: Hashable {
  /// A loop variable, or a quotient or remainder of an expression.
  indirect enum Atom: Hashable {
    /// `name` runs over `0 ..< extent` (or a part of it).
    case variable(String, extent: Int)
    case quotient(IndexExpression, Int)
    case remainder(IndexExpression, Int)
    /// Element `offset` of the integer buffer `buffer`, an index into an axis of `size`
    /// already checked to lie in `-size ..< size`, counted from 0 (a negative one from the
    /// end): how a kernel reads through a `take` it does not store.
    case element(String, IndexExpression, size: Int)
  }

  /// `coefficient * atom`.
  struct Term: Hashable {
    var atom: Atom
    var coefficient: Int
  }

  /// Terms in canonical order (by their atoms' text), no zero coefficient, no atom twice.
  let terms: [Term]
  let constant: Int
  /// The hash of `terms` and `constant`, computed once: kernels look reads up by their index
  /// many times per node, so hashing must not walk the terms each time.
  private let key: Int

  /// The constant `c`.
  init(_ c: Int) {
    self.init(terms: [], c)
  }

  static func == (a: IndexExpression, b: IndexExpression) -> Bool {
    a.key == b.key && a.constant == b.constant && a.terms == b.terms
  }

  func hash(into hasher: inout Hasher) { hasher.combine(key) }

  /// The loop variable `name` over `0 ..< extent`.
  static func variable(_ name: String, extent: Int) -> IndexExpression {
    IndexExpression(terms: [Term(atom: .variable(name, extent: extent), coefficient: 1)], 0)
  }

  private init(terms: [Term], _ constant: Int) {
    self.terms = terms
    self.constant = constant
    var hasher = Hasher()
    hasher.combine(terms)
    hasher.combine(constant)
    key = hasher.finalize()
  }

  /// Element `offset` of the checked index buffer `buffer`, counted from 0 in `0 ..< size`.
  static func element(_ buffer: String, _ offset: IndexExpression, size: Int) -> IndexExpression {
    IndexExpression(atom: .element(buffer, offset, size: size))
  }

  private init(atom: Atom) {
    self.init(terms: [Term(atom: atom, coefficient: 1)], 0)
  }

  /// The sum of `terms` (each atom at most once).
  static func sum(_ terms: [Term]) -> IndexExpression {
    terms.reduce(IndexExpression(0)) { $0 + IndexExpression(terms: [$1], 0) }
  }

  /// The constant value, if the expression is one.
  var constantValue: Int? { terms.isEmpty ? constant : nil }

  static func + (a: IndexExpression, b: IndexExpression) -> IndexExpression {
    var merged = a.terms
    for term in b.terms {
      if let k = merged.firstIndex(where: { $0.atom == term.atom }) {
        merged[k].coefficient += term.coefficient
      } else {
        merged.append(term)
      }
    }
    merged.removeAll { $0.coefficient == 0 }
    merged.sort { $0.atom.text < $1.atom.text }
    return IndexExpression(terms: merged, a.constant + b.constant)
  }

  static func + (a: IndexExpression, c: Int) -> IndexExpression {
    IndexExpression(terms: a.terms, a.constant + c)
  }

  static func * (a: IndexExpression, k: Int) -> IndexExpression {
    if k == 0 { return IndexExpression(0) }
    return IndexExpression(
      terms: a.terms.map { Term(atom: $0.atom, coefficient: $0.coefficient * k) }, a.constant * k)
  }

  /// The smallest and largest values the expression takes (an empty range gives `low > high`).
  var range: (low: Int, high: Int) {
    var low = constant
    var high = constant
    for term in terms {
      let (a, b) = term.atom.range
      if term.coefficient >= 0 {
        low += term.coefficient * a
        high += term.coefficient * b
      } else {
        low += term.coefficient * b
        high += term.coefficient * a
      }
    }
    return (low, high)
  }

  /// The terms divisible by `d` (divided by it, with the constant's multiple of `d`) and the
  /// rest; nil when either part may be negative.
  private func split(_ d: Int) -> (quotient: IndexExpression, rest: IndexExpression)? {
    guard range.low >= 0 else { return nil }
    var whole: [Term] = []
    var rest: [Term] = []
    for term in terms {
      if term.coefficient % d == 0 {
        whole.append(Term(atom: term.atom, coefficient: term.coefficient / d))
      } else {
        rest.append(term)
      }
    }
    let q = IndexExpression(terms: whole, constant / d)
    let r = IndexExpression(terms: rest, constant % d)
    guard q.range.low >= 0, r.range.low >= 0 else { return nil }
    return (q, r)
  }

  /// `self / d` for `d > 0`, simplified.
  func divided(by d: Int) -> IndexExpression {
    if d == 1 { return self }
    guard let (q, r) = split(d) else { return IndexExpression(atom: .quotient(self, d)) }
    if r.range.high < d { return q }
    return q + IndexExpression(atom: .quotient(r, d))
  }

  /// `self % m` for `m > 0`, simplified.
  func remainder(_ m: Int) -> IndexExpression {
    if m == 1 { return IndexExpression(0) }
    guard let (_, r) = split(m) else { return IndexExpression(atom: .remainder(self, m)) }
    if r.range.high < m { return r }
    return IndexExpression(atom: .remainder(r, m))
  }

  /// The C text: `i0 * 24 + i1 + 3`, `i - 1`, `(i / 24) % 5`.
  var text: String {
    var parts: [String] = []
    for term in terms {
      let atom = term.atom.text
      let magnitude = abs(term.coefficient)
      let product =
        magnitude == 1 ? atom : "\(term.atom.isCompound ? "(\(atom))" : atom) * \(magnitude)"
      if parts.isEmpty {
        parts.append(term.coefficient < 0 ? "-" + product : product)
      } else {
        parts.append((term.coefficient < 0 ? "- " : "+ ") + product)
      }
    }
    if parts.isEmpty { return "\(constant)" }
    if constant > 0 { parts.append("+ \(constant)") }
    if constant < 0 { parts.append("- \(-constant)") }
    return parts.joined(separator: " ")
  }

  /// The text ready to be an operand of `*`, `/`, `%` or a comparison: parenthesised unless
  /// it is one name or number.
  var operandText: String {
    let single = terms.isEmpty || (terms.count == 1 && constant == 0 && terms[0].coefficient == 1)
    return single && !(terms.first?.atom.isCompound ?? false) ? text : "(\(text))"
  }
}

extension IndexExpression.Atom {
  var range: (low: Int, high: Int) {
    switch self {
    case .variable(_, let extent): (0, extent - 1)
    // C's `/` truncates, which is monotonic, so the bounds divide too.
    case .quotient(let e, let d): (e.range.low / d, e.range.high / d)
    case .remainder(let e, let m): (e.range.low >= 0 ? 0 : 1 - m, m - 1)
    case .element(_, _, let size): (0, size - 1)
    }
  }

  /// True for a quotient, remainder or index element (written with an operator).
  var isCompound: Bool {
    if case .variable = self { return false }
    return true
  }

  var text: String {
    switch self {
    case .variable(let name, _): name
    case .quotient(let e, let d): "\(e.operandText) / \(d)"
    case .remainder(let e, let m): "\(e.operandText) % \(m)"
    case .element(let buffer, let offset, let size):
      "(\(buffer)[\(offset.text)] < 0 ? \(buffer)[\(offset.text)] + \(size) : \(buffer)[\(offset.text)])"
    }
  }
}

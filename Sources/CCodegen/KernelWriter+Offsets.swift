/// Element offsets inside loop bodies: common parts computed once, and parts that depend only
/// on outer loops computed outside the inner ones.
///
/// An offset `i0 * 784 + i2 * 28 + i3 + 29` is written as `o2 + 29`, where `o1 = i0 * 784 +
/// i2 * 28` is declared inside the loop over `i2` and `o2 = o1 + i3` inside the innermost one.
/// A convolution written with slices reads one tensor at 25 offsets differing only in their
/// constant: they share `o2`, and TinyCC (which keeps nothing in registers across statements)
/// computes the products once per row instead of 25 times per element. An offset that is a
/// single loop variable, or is used once and cannot move outwards, stays as it is.
extension KernelWriter {
  /// The C text of `offset` in the loop body being written.
  mutating func address(_ offset: IndexExpression) -> String {
    let base = offset + (-offset.constant)
    let named = baseName(base)
    let c = offset.constant
    return c == 0 ? named : c > 0 ? "\(named) + \(c)" : "\(named) - \(-c)"
  }

  /// The text for an offset without constant: a variable, a known local, a new local (when
  /// it moves to an outer loop or is used more than once per iteration), or its own text
  /// with its outer part named.
  private mutating func baseName(_ base: IndexExpression) -> String {
    if base.terms.isEmpty { return "0" }
    if base.terms.count == 1, base.terms[0].coefficient == 1, !base.terms[0].atom.isCompound {
      return base.text
    }
    if uses == nil { offsetUses[base, default: 0] += 1 }
    if let known = offsetNames[base] { return known }
    let depth = deepest(base)
    // The terms of outer loops, as a local of their own declared further out.
    var text = base.text
    let outer = base.terms.filter { atomDepth($0.atom) < depth }
    if !outer.isEmpty, outer.count < base.terms.count {
      let inner = IndexExpression.sum(base.terms.filter { atomDepth($0.atom) == depth })
      text = baseName(IndexExpression.sum(outer)) + " + " + inner.text
    }
    guard depth < innermostDepth || offsetUses[base, default: 0] > 1 else { return text }
    let name = "o\(offsetNames.count)"
    offsetNames[base] = name
    let line = "const long long \(name) = \(text);"
    if depth >= innermostDepth {
      body.append(line)
    } else {
      hoisted[depth, default: []].append(line)
    }
    return name
  }

  /// The loop level of the deepest variable an expression uses (`innermostDepth` for a
  /// variable that is not a loop nest's, such as a flat loop's `i`).
  private func deepest(_ e: IndexExpression) -> Int {
    e.terms.map { atomDepth($0.atom) }.max() ?? 0
  }

  private func atomDepth(_ atom: IndexExpression.Atom) -> Int {
    switch atom {
    case .variable(let name, _): loopDepth[name] ?? innermostDepth
    case .quotient(let e, _), .remainder(let e, _), .element(_, let e, _): deepest(e)
    }
  }
}

/// Sums and products: flattened across nested nodes that have no line of their own, then
/// ordered and written with signs and exponents (see `mathText`).
extension MathPrinter {
  /// `a + b - c`, terms ordered by the first input they use, constants last.
  mutating func renderSum(_ id: NodeID) -> Rendered {
    var terms: [(negative: Bool, id: NodeID)] = []
    collectTerms(id, negative: false, into: &terms)
    let ordered = terms.enumerated().sorted { a, c in
      let (ka, kc) = (firstArguments[a.element.id.index], firstArguments[c.element.id.index])
      return ka != kc ? ka < kc : a.offset < c.offset
    }.map(\.element)
    // Repeated terms are counted (`2*t`); a leading minus of a product-level term is the
    // sign of the whole term.
    var written: [(negative: Bool, body: String, count: Int)] = []
    for term in ordered {
      var body = operand(term.id, atLeast: 2)
      var negative = term.negative
      if body.hasPrefix("-") {
        body.removeFirst()
        negative.toggle()
      }
      let isConstant = graph[term.id].op.constantValue != nil
      if !isConstant,
        let i = written.firstIndex(where: { $0.body == body && $0.negative == negative })
      {
        written[i].count += 1
      } else {
        written.append((negative, body, 1))
      }
    }
    // Start with a positive term when there is one: `1 - tanh(x)^2`, not `-tanh(x)^2 + 1`.
    if let i = written.firstIndex(where: { !$0.negative }), i > 0 {
      written.insert(written.remove(at: i), at: 0)
    }
    var text = ""
    for (position, term) in written.enumerated() {
      let body = term.count > 1 ? "\(term.count)*\(term.body)" : term.body
      let negative = term.negative
      if position == 0 {
        text = negative ? "-\(body)" : body
      } else {
        text += negative ? " - \(body)" : " + \(body)"
      }
    }
    return Rendered(text: text, precedence: 1)
  }

  private mutating func collectTerms(
    _ id: NodeID, negative: Bool, into terms: inout [(negative: Bool, id: NodeID)]
  ) {
    let node = graph[id]
    let inline = !hasLine(id)
    switch node.op {
    case .add where inline:
      collectTerms(node.inputs[0], negative: negative, into: &terms)
      collectTerms(node.inputs[1], negative: negative, into: &terms)
    case .sub where inline:
      collectTerms(node.inputs[0], negative: negative, into: &terms)
      collectTerms(node.inputs[1], negative: !negative, into: &terms)
    case .neg where inline && isSum(node.inputs[0]):
      collectTerms(node.inputs[0], negative: !negative, into: &terms)
    case .broadcast where inline:
      collectTerms(node.inputs[0], negative: negative, into: &terms)
    default:
      terms.append((negative, id))
    }
  }

  private func isSum(_ id: NodeID) -> Bool {
    switch graph[id].op {
    case .add, .sub: !hasLine(id)
    default: false
    }
  }

  /// `2*x*exp(x)/y`: constants, then inputs and their powers, then other factors; repeated
  /// factors as powers; factors `1/b` moved under the line.
  mutating func renderProduct(_ id: NodeID) -> Rendered {
    var factors: [NodeID] = []
    var divisors: [NodeID] = []
    collectFactors(id, into: &factors, divisors: &divisors)
    func grouped(_ list: [NodeID]) -> [(id: NodeID, count: Int)] {
      var result: [(id: NodeID, count: Int)] = []
      for f in list {
        let isConstant = graph[f].op.constantValue != nil
        if !isConstant, let i = result.firstIndex(where: { $0.id == f }) {
          result[i].count += 1
        } else {
          result.append((f, 1))
        }
      }
      return result.enumerated().sorted { a, c in
        let (ra, rc) = (factorRank(a.element.id), factorRank(c.element.id))
        return ra != rc ? ra < rc : a.offset < c.offset
      }.map(\.element)
    }
    func text(_ list: [(id: NodeID, count: Int)]) -> (String, Int) {
      let parts = list.enumerated().map { position, f in
        if f.count > 1 { return "\(operand(f.id, atLeast: 4))^\(f.count)" }
        let t = operand(f.id, atLeast: 2)
        return position > 0 && t.hasPrefix("-") ? "(\(t))" : t
      }
      let precedence =
        list.count == 1 && list[0].count > 1
        ? 3 : (list.count == 1 ? operand(list[0].id).precedence : 2)
      return (parts.joined(separator: "*"), precedence)
    }
    let (top, topPrecedence) = factors.isEmpty ? ("1", 4) : text(grouped(factors))
    guard !divisors.isEmpty else { return Rendered(text: top, precedence: topPrecedence) }
    let (bottom, bottomPrecedence) = text(grouped(divisors))
    let under = bottomPrecedence >= 3 ? bottom : "(\(bottom))"
    return Rendered(text: "\(topPrecedence >= 2 ? top : "(\(top))")/\(under)", precedence: 2)
  }

  private mutating func collectFactors(
    _ id: NodeID, into factors: inout [NodeID], divisors: inout [NodeID]
  ) {
    let node = graph[id]
    let inline = !hasLine(id)
    switch node.op {
    case .mul where inline:
      collectFactors(node.inputs[0], into: &factors, divisors: &divisors)
      collectFactors(node.inputs[1], into: &factors, divisors: &divisors)
    case .div where inline && graph[node.inputs[0]].op.constantValue == 1:
      divisors.append(node.inputs[1])
    case .broadcast where inline:
      collectFactors(node.inputs[0], into: &factors, divisors: &divisors)
    default:
      factors.append(id)
    }
  }

  /// 0 constants, 1 inputs, 2 powers of inputs, 3 everything else.
  private func factorRank(_ id: NodeID) -> Int {
    let node = graph[id]
    switch node.op {
    case .constant: return 0
    case .input, .param: return 1
    case .pow where graph[node.inputs[0]].op.isLeafInput: return hasLine(id) ? 3 : 2
    default: return 3
    }
  }
}

/// Sums and products: flattened across nested nodes that have no line of their own, then
/// ordered and written with signs and exponents (see `mathText`).
extension MathPrinter {
  /// `a + b - c`, terms ordered by the first input they use, constants added up and last.
  mutating func renderSum(_ id: NodeID) -> Rendered {
    var terms: [(negative: Bool, id: NodeID)] = []
    collectTerms(id, negative: false, into: &terms)
    let ordered = terms.enumerated().sorted { a, c in
      let (ka, kc) = (firstArguments[a.element.id.index], firstArguments[c.element.id.index])
      return ka != kc ? ka < kc : a.offset < c.offset
    }.map(\.element)
    // Constant terms are added up into one, written last (`x - 1 - 1` is `x - 2`).
    var constant = 0.0
    var constantCount = 0
    for term in ordered {
      guard let c = graph[term.id].op.constantValue else { continue }
      constant += term.negative ? -c : c
      constantCount += 1
    }
    // Repeated terms are counted (`2*t`); a leading minus of a product-level term is the
    // sign of the whole term.
    var written: [(negative: Bool, body: String, count: Int)] = []
    var position: [Signed: Int] = [:]
    for term in ordered where graph[term.id].op.constantValue == nil {
      var body = operand(term.id, atLeast: 2)
      var negative = term.negative
      if body.hasPrefix("-") {
        body.removeFirst()
        negative.toggle()
      }
      if let i = position[Signed(negative: negative, body: body)] {
        written[i].count += 1
      } else {
        position[Signed(negative: negative, body: body)] = written.count
        written.append((negative, body, 1))
      }
    }
    if constantCount > 0 && (constant != 0 || written.isEmpty) {
      let text = formatNumber(Swift.abs(constant))
      written.append((constant < 0 || constant.sign == .minus, text, 1))
    }
    // Start with a positive term when there is one: `1 - tanh(x)^2`, not `-tanh(x)^2 + 1`.
    if let i = written.firstIndex(where: { !$0.negative }), i > 0 {
      written.insert(written.remove(at: i), at: 0)
    }
    var text = ""
    for (position, term) in written.enumerated() {
      let body = term.count > 1 ? repeated(term.body, term.count) : term.body
      let negative = term.negative
      if position == 0 {
        text = negative ? "-\(body)" : body
      } else {
        text += negative ? " - \(body)" : " + \(body)"
      }
    }
    return Rendered(text: text, precedence: 1)
  }

  /// `count` copies of a term: `2*x`, with a leading coefficient multiplied in (`2*3*x` is
  /// `6*x`, `2*1/x` is `2/x`).
  private func repeated(_ body: String, _ count: Int) -> String {
    let digits = body.prefix { $0.isNumber || $0 == "." || $0 == "e" || $0 == "-" }
    let rest = body.dropFirst(digits.count)
    guard !digits.isEmpty, let c = Double(digits), c.isFinite,
      rest.first == "*" || rest.first == "/"
    else { return "\(count)*\(body)" }
    let merged = formatNumber(Double(count) * c)
    return rest.first == "*" && merged == "1" ? String(rest.dropFirst()) : merged + rest
  }

  /// The terms of the sum at `id`, left to right, descending through adds, subtractions,
  /// negated sums and broadcasts that have no line of their own. Iterative: a sum may have
  /// any number of terms.
  private mutating func collectTerms(
    _ id: NodeID, negative: Bool, into terms: inout [(negative: Bool, id: NodeID)]
  ) {
    var stack = [(negative, id)]
    while let (negative, id) = stack.popLast() {
      let node = graph[id]
      let inline = !hasLine(id)
      switch node.op {
      case .add where inline:
        stack.append((negative, node.inputs[1]))
        stack.append((negative, node.inputs[0]))
      case .sub where inline:
        stack.append((!negative, node.inputs[1]))
        stack.append((negative, node.inputs[0]))
      case .neg where inline && isSum(node.inputs[0]):
        stack.append((!negative, node.inputs[0]))
      case .broadcast where inline:
        stack.append((negative, node.inputs[0]))
      default:
        terms.append((negative, id))
      }
    }
  }

  private func isSum(_ id: NodeID) -> Bool {
    switch graph[id].op {
    case .add, .sub: !hasLine(id)
    default: false
    }
  }

  /// `2*x*exp(x)/y`: one coefficient (the product of the constant factors), then inputs in
  /// declaration order, then other factors in order of appearance. Repeated factors and
  /// integer powers of the same base are combined into one power (`x*x^2` is `x^3`) and
  /// cancelled across the line (`x*sin(x)/x^4` is `sin(x)/x^3`); divisors, from `/` or from a
  /// factor `1/b`, go under the line.
  mutating func renderProduct(_ id: NodeID) -> Rendered {
    var factors: [NodeID] = []
    var divisors: [NodeID] = []
    collectFactors(id, inverted: false, into: &factors, divisors: &divisors)
    var coefficient = 1.0
    var divisor = 1.0
    // Each base's net integer exponent, and the bases in order of first appearance.
    var exponents: [NodeID: Double] = [:]
    var bases: [NodeID] = []
    for (list, sign) in [(factors, 1.0), (divisors, -1.0)] {
      for f in list {
        if let c = graph[f].op.constantValue {
          if sign > 0 { coefficient *= c } else { divisor *= c }
          continue
        }
        let (base, k) = integerPower(f)
        if exponents[base] == nil { bases.append(base) }
        exponents[base, default: 0] += sign * k
      }
    }
    let ordered = bases.enumerated().sorted { a, c in
      let (ka, kc) = (factorKey(a.element), factorKey(c.element))
      return ka != kc ? ka < kc : a.offset < c.offset
    }.map(\.element)
    let above = ordered.compactMap { b in exponents[b].flatMap { $0 > 0 ? (b, $0) : nil } }
    let below = ordered.compactMap { b in exponents[b].flatMap { $0 < 0 ? (b, -$0) : nil } }
    let top = productText(coefficient, above)
    guard divisor != 1 || !below.isEmpty else { return top }
    let bottom = productText(divisor, below)
    let under = bottom.precedence >= 3 ? bottom.text : "(\(bottom.text))"
    let over = top.precedence >= 2 ? top.text : "(\(top.text))"
    return Rendered(text: "\(over)/\(under)", precedence: 2)
  }

  /// `c*a*b^2`, leaving out a coefficient of 1; `1` for an empty product.
  private mutating func productText(_ coefficient: Double, _ powers: [(NodeID, Double)])
    -> Rendered
  {
    var parts: [Rendered] = coefficient != 1 || powers.isEmpty ? [number(coefficient)] : []
    for (base, k) in powers {
      parts.append(
        k == 1
          ? operand(base)
          : Rendered(text: "\(operand(base, atLeast: 4))^\(formatNumber(k))", precedence: 3))
    }
    guard parts.count > 1 else { return parts[0] }
    let texts = parts.enumerated().map { position, part in
      let t = part.precedence >= 2 ? part.text : "(\(part.text))"
      return position > 0 && t.hasPrefix("-") ? "(\(t))" : t
    }
    return Rendered(text: texts.joined(separator: "*"), precedence: 2)
  }

  private func number(_ value: Double) -> Rendered {
    let text = formatNumber(value)
    return Rendered(text: text, precedence: text.hasPrefix("-") ? 2 : 4)
  }

  /// A factor as `base^k` with k an integer: `x^3` is (x, 3), `(x^2)^2` is (x, 4), anything
  /// else is itself to the first power. Powers with a line of their own stay whole.
  private func integerPower(_ id: NodeID) -> (NodeID, Double) {
    let node = graph[id]
    guard case .pow = node.op, !hasLine(id),
      let k = graph[node.inputs[1]].op.constantValue, k.isFinite, k == k.rounded(),
      graph[node.inputs[0]].op.constantValue == nil
    else { return (id, 1) }
    let (base, inner) = integerPower(node.inputs[0])
    return (base, inner * k)
  }

  /// The factors and divisors of the product at `id`, left to right, descending through
  /// products, quotients and broadcasts that have no line of their own. Iterative.
  private mutating func collectFactors(
    _ id: NodeID, inverted: Bool, into factors: inout [NodeID], divisors: inout [NodeID]
  ) {
    var stack = [(inverted, id)]
    while let (inverted, id) = stack.popLast() {
      let node = graph[id]
      let inline = !hasLine(id)
      switch node.op {
      case .mul where inline:
        stack.append((inverted, node.inputs[1]))
        stack.append((inverted, node.inputs[0]))
      case .div where inline:
        stack.append((!inverted, node.inputs[1]))
        stack.append((inverted, node.inputs[0]))
      case .broadcast where inline:
        stack.append((inverted, node.inputs[0]))
      default:
        if inverted { divisors.append(id) } else { factors.append(id) }
      }
    }
  }

  /// Inputs and params first, in declaration order; then everything else (`Int.max`).
  private func factorKey(_ id: NodeID) -> Int {
    graph[id].op.isLeafInput ? id.index : Int.max
  }
}

/// A written term of a sum and its sign, to count repeated terms.
private struct Signed: Hashable {
  var negative: Bool
  var body: String
}

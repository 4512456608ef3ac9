/// Sums and products: flattened across nested nodes that have no line of their own, then
/// ordered and written with signs and exponents (see `mathText`).
extension MathPrinter {
  /// `a + b - c`, terms ordered by the first input they use, constants added up and last.
  mutating func renderSum(_ id: NodeID) -> Rendered {
    let parts = sumParts(id)
    sumMemo[id] = parts
    let ordered = parts.terms.enumerated().sorted { a, c in
      let (ka, kc) = (firstArguments[a.element.id.index], firstArguments[c.element.id.index])
      return ka != kc ? ka < kc : a.offset < c.offset
    }.map(\.element)
    // Constant terms are added up into one, written last (`x - 1 - 1` is `x - 2`).
    let (constant, constantCount) = (parts.constant, parts.constantCount)
    // Terms of one sign that differ only in their coefficient are added up (`x + 2*x` is
    // `3*x`); a leading minus of a product-level term is the sign of the coefficient. Terms
    // of opposite signs stay apart: `x - x` is NaN for an infinite x, not 0.
    var like: [Term] = []
    var position: [Term.Key: Int] = [:]
    for term in ordered {
      let parsed = Term(operand(term.id, atLeast: 2), negative: term.negative)
      if let i = position[parsed.key] {
        like[i].coefficient += parsed.coefficient
      } else {
        position[parsed.key] = like.count
        like.append(parsed)
      }
    }
    var written = like.map { (negative: $0.key.negative, body: $0.text) }
    if constantCount > 0 && (constant != 0 || written.isEmpty) {
      let text = formatNumber(Swift.abs(constant))
      written.append((constant < 0 || constant.sign == .minus, text))
    }
    // Start with a positive term when there is one: `1 - tanh(x)^2`, not `-tanh(x)^2 + 1`.
    if let i = written.firstIndex(where: { !$0.negative }), i > 0 {
      written.insert(written.remove(at: i), at: 0)
    }
    var text = ""
    for (position, term) in written.enumerated() {
      let body = term.body
      let negative = term.negative
      if position == 0 {
        text = negative ? "-\(body)" : body
      } else {
        text += negative ? " - \(body)" : " + \(body)"
      }
    }
    return Rendered(text: text, precedence: 1)
  }

  /// The sum at `id` flattened, left to right, through adds, subtractions, negated sums
  /// and broadcasts that have no line of their own, its constants added up. Iterative; a
  /// nested sum already rendered is merged from `sumMemo` rather than walked again.
  private mutating func sumParts(_ id: NodeID) -> SumParts {
    var parts = SumParts()
    var stack = [(false, id)]
    while let (negative, t) = stack.popLast() {
      let node = graph[t]
      let inline = !hasLine(t)
      if inline, t != id, let nested = sumMemo[t] {
        parts.merge(nested, negated: negative)
        continue
      }
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
        if let c = node.op.constantValue {
          parts.constant += negative ? -c : c
          parts.constantCount += 1
        } else {
          parts.terms.append((negative, t))
        }
      }
    }
    return parts
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
    let parts = productParts(id)
    productMemo[id] = parts
    let (coefficient, divisor, exponents) = (parts.coefficient, parts.divisor, parts.exponents)
    let bases = parts.bases
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

  /// The product at `id` flattened, left to right, through products, quotients and
  /// broadcasts that have no line of their own. Iterative; a nested product already
  /// rendered is merged from `productMemo` rather than walked again, so a chain of products
  /// that each print on their own (`x*x*...*x` whose every prefix a gradient uses) costs
  /// linear time, not quadratic.
  private mutating func productParts(_ id: NodeID) -> ProductParts {
    var parts = ProductParts()
    var stack = [(false, id)]
    while let (inverted, f) = stack.popLast() {
      let node = graph[f]
      let inline = !hasLine(f)
      if inline, f != id, let nested = productMemo[f] {
        parts.merge(nested, inverted: inverted)
        continue
      }
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
        if let c = node.op.constantValue {
          if inverted { parts.divisor *= c } else { parts.coefficient *= c }
        } else {
          let (base, k) = integerPower(f)
          parts.add(base, inverted ? -k : k)
        }
      }
    }
    return parts
  }

  /// Inputs and params first, in declaration order; then everything else (`Int.max`).
  private func factorKey(_ id: NodeID) -> Int {
    graph[id].op.isLeafInput ? id.index : Int.max
  }
}

/// A written term of a sum as a coefficient times the rest: `-3*x^2` is -3 and `x^2`,
/// `2/x` is 2 and `/x`, `exp(x)` is 1 and itself.
private struct Term {
  /// What terms must share to be added up: the text after the coefficient, whether the
  /// coefficient is divided by it, and the sign.
  struct Key: Hashable {
    var rest: String
    var divides: Bool
    var negative: Bool
  }

  var key: Key
  var coefficient: Double

  init(_ body: String, negative: Bool) {
    var body = Substring(body)
    var sign = negative ? -1.0 : 1.0
    if body.hasPrefix("-") {
      body.removeFirst()
      sign = -sign
    }
    let digits = body.prefix { $0.isNumber || $0 == "." || $0 == "e" || $0 == "-" || $0 == "+" }
    let rest = body.dropFirst(digits.count)
    if let c = Double(digits), c.isFinite, let op = rest.first, op == "*" || op == "/" {
      key = Key(rest: String(rest.dropFirst()), divides: op == "/", negative: sign < 0)
      coefficient = sign * c
    } else {
      key = Key(rest: String(body), divides: false, negative: sign < 0)
      coefficient = sign
    }
  }

  /// The term without its sign: `3*x^2`, `x^2`, `2/x`.
  var text: String {
    let c = Swift.abs(coefficient)
    if key.divides { return "\(formatNumber(c))/\(key.rest)" }
    return c == 1 ? key.rest : "\(formatNumber(c))*\(key.rest)"
  }
}

/// A flattened product: its constant factors multiplied out above and below the line, and
/// each base's net integer exponent, bases in order of first appearance.
struct ProductParts {
  var coefficient = 1.0
  var divisor = 1.0
  var bases: [NodeID] = []
  var exponents: [NodeID: Double] = [:]

  mutating func add(_ base: NodeID, _ k: Double) {
    if exponents[base] == nil { bases.append(base) }
    exponents[base, default: 0] += k
  }

  /// Multiplies in `other`, or divides by it when `inverted`.
  mutating func merge(_ other: ProductParts, inverted: Bool) {
    if inverted {
      coefficient *= other.divisor
      divisor *= other.coefficient
    } else {
      coefficient *= other.coefficient
      divisor *= other.divisor
    }
    for base in other.bases {
      // `add` records an exponent for every base it appends.
      guard let k = other.exponents[base] else { preconditionFailure("\(base) has no exponent") }
      add(base, inverted ? -k : k)
    }
  }
}

/// A flattened sum: its non-constant terms with their signs, in order, and its constant
/// terms added up.
struct SumParts {
  var terms: [(negative: Bool, id: NodeID)] = []
  var constant = 0.0
  var constantCount = 0

  /// Adds `other`, or subtracts it when `negated`.
  mutating func merge(_ other: SumParts, negated: Bool) {
    terms += other.terms.map { (negative: $0.negative != negated, id: $0.id) }
    constant += negated ? -other.constant : other.constant
    constantCount += other.constantCount
  }
}

import Foundation

/// An expression being written: its text, how tightly it binds, its shape, and what is known
/// of its values.
struct Expr {
  /// Binding strength, as in the grammar: an operand binding less tightly than its operator
  /// needs is put in parentheses.
  enum Level: Int, Comparable {
    case comparison = 1
    case additive, term, unary, power, atom
    static func < (l: Level, r: Level) -> Bool { l.rawValue < r.rawValue }
  }

  var text: String
  var level: Level
  var shape: [Int]
  /// An upper bound on the magnitude of every element.
  var bound: Double
  /// A positive lower bound on every element, when one is known.
  var lower: Double?
  /// The names the value depends on.
  var roots: Set<String>

  /// A name.
  static func leaf(_ v: PoolValue) -> Expr {
    Expr(
      text: v.name, level: .atom, shape: v.shape, bound: v.bound, lower: v.lower,
      roots: v.roots)
  }

  /// The text, in parentheses unless it binds at least as tightly as `level`.
  func operand(_ level: Level) -> String { self.level >= level ? text : "(\(text))" }

  /// `f(args..., extra...)`.
  static func call(
    _ f: String, _ args: [Expr], _ extra: [String] = [], shape: [Int], bound: Double,
    lower: Double? = nil
  ) -> Expr {
    let all = args.map(\.text) + extra
    return Expr(
      text: "\(f)(\(all.joined(separator: ", ")))", level: .atom, shape: shape, bound: bound,
      lower: lower, roots: args.reduce(into: []) { $0.formUnion($1.roots) })
  }

  /// `l op r` (left-associative: the right operand must bind more tightly). Elementwise
  /// operators broadcast; `@` is the matrix product.
  static func binary(_ op: String, _ l: Expr, _ r: Expr) -> Expr {
    let level: Level =
      switch op {
      case "+", "-": .additive
      case "*", "/", "@": .term
      default: .comparison
      }
    let text =
      "\(l.operand(level)) \(op) \(r.operand(Level(rawValue: level.rawValue + 1) ?? .atom))"
    var shape = broadcast(l.shape, r.shape)
    var bound = l.bound + r.bound
    var lower: Double? = nil
    switch op {
    case "+":
      if let p = l.lower, let q = r.lower { lower = p + q }
    case "*":
      bound = l.bound * r.bound
      if let p = l.lower, let q = r.lower { lower = p * q }
    case "/":
      bound = l.bound / (r.lower ?? 1)
      if let p = l.lower, let q = r.lower { lower = p / max(r.bound, q) }
    case "@":
      let k = l.shape.last ?? 1
      shape = Array(l.shape.dropLast()) + Array(r.shape.count == 2 ? [r.shape[1]] : [])
      bound = Double(k) * l.bound * r.bound
    case "<", "<=", ">", ">=", "==", "!=": bound = 1
    default: break
    }
    return Expr(
      text: text, level: level, shape: shape, bound: bound, lower: lower,
      roots: l.roots.union(r.roots))
  }

  /// `self + k`.
  func plus(_ k: Expr) -> Expr { .binary("+", self, k) }

  /// The same expression with a given bound.
  func bounded(_ bound: Double) -> Expr {
    var e = self
    e.bound = bound
    return e
  }

  /// NumPy broadcasting of two shapes known to be compatible.
  static func broadcast(_ x: [Int], _ y: [Int]) -> [Int] {
    let n = max(x.count, y.count)
    let px = Array(repeating: 1, count: n - x.count) + x
    let py = Array(repeating: 1, count: n - y.count) + y
    return zip(px, py).map { max($0, $1) }
  }
}

/// Expressions of a given shape: every production the generator knows.
extension ProgramGenerator {
  /// The productions, with their weights.
  enum Production: CaseIterable {
    case unary, power, arithmetic, division, minMax, select, mask, logSqrt, reduction
    case softmax, matmul, transpose, reshape, slice, concat, rank3, gradient

    var weight: Int {
      switch self {
      case .unary, .arithmetic: 6
      case .reduction, .matmul, .slice: 4
      case .power, .division, .minMax, .select, .logSqrt, .softmax, .reshape, .concat: 2
      case .mask, .transpose, .rank3, .gradient: 1
      }
    }
  }

  /// An expression of `shape` at most `depth` operations deep. Shapes other than `shapes`
  /// are allowed when the pool holds a value of that shape (elementwise productions only).
  mutating func expression(_ shape: [Int], depth: Int) -> Expr {
    guard depth > 0, !chance(0.15) else { return leaf(shape) }
    let table = Production.allCases.flatMap { Array(repeating: $0, count: $0.weight) }
    for _ in 0..<10 {
      if let e = produce(pick(table), shape, depth - 1) { return tamed(e) }
    }
    return leaf(shape)
  }

  /// `e`, or `tanh(e)` when its bound is past 50, so values stay moderate.
  mutating func tamed(_ e: Expr) -> Expr {
    guard e.bound > 50 else { return e }
    return .call("tanh", [e], shape: e.shape, bound: 1)
  }

  /// One production, or nil when it does not apply to `shape`.
  mutating func produce(_ p: Production, _ shape: [Int], _ depth: Int) -> Expr? {
    let built = isBuilt(shape)
    switch p {
    case .unary: return unary(of: expression(shape, depth: depth))
    case .power: return power(shape, depth)
    case .arithmetic: return arithmetic(shape, depth)
    case .division:
      return .binary("/", expression(shape, depth: depth), positive(shape, depth))
    case .minMax:
      let f = pick(["max", "min"])
      let (x, y) = (expression(shape, depth: depth), broadcastOperand(shape, depth))
      let args = chance(0.5) ? [x, y] : [y, x]
      return .call(f, args, shape: shape, bound: max(x.bound, y.bound))
    case .select:
      let x = expression(shape, depth: depth)
      let y = broadcastOperand(shape, depth)
      let args = chance(0.5) ? [x, y] : [y, x]
      // The condition broadcasts too: sometimes one scalar test for every element.
      let condition = comparison(chance(0.2) ? [] : shape, depth)
      return .call("where", [condition] + args, shape: shape, bound: x.bound + y.bound)
    case .mask:
      let e = expression(shape, depth: depth)
      return .binary("*", comparison(shape, depth), e).bounded(e.bound)
    case .logSqrt:
      let x = positive(shape, depth)
      guard let lo = x.lower else { return nil }
      if chance(0.5) {
        return .call("sqrt", [x], shape: shape, bound: x.bound.squareRoot(), lower: lo.squareRoot())
      }
      return .call(
        "log", [x], shape: shape, bound: max(Swift.abs(log(lo)), Swift.abs(log(x.bound))))
    case .reduction: return built ? reduction(shape, depth) : nil
    case .softmax: return built && !shape.isEmpty ? softmax(shape, depth) : nil
    case .matmul: return built ? matmul(shape, depth) : nil
    case .transpose:
      guard built, shape.count == 2 else { return nil }
      let x = expression([shape[1], shape[0]], depth: depth)
      return .call("transpose", [x], shape: shape, bound: x.bound, lower: x.lower)
    case .reshape: return built ? reshape(shape, depth) : nil
    case .slice: return built ? slice(shape, depth) : nil
    case .concat: return built ? concat(shape, depth) : nil
    case .rank3: return built && shape.count == 2 ? throughRank3(shape, depth) : nil
    case .gradient:
      let targets = pool.filter { $0.shape == shape }
      guard !inBody, inlineGradients < 2, depth > 0, !targets.isEmpty else { return nil }
      inlineGradients += 1
      return gradient(of: pick(targets), depth: depth)
    }
  }

  /// A value of the pool of `shape`, preferring one that depends on the focus; for a
  /// matrix shape no value has, the outer product of two vectors.
  mutating func leaf(_ shape: [Int]) -> Expr {
    let candidates = pool.filter { $0.shape == shape }
    guard !candidates.isEmpty else {
      precondition(shape.count == 2, "random program: no value of shape \(shape)")
      let column = leaf([shape[0]])
      let row = leaf([shape[1]])
      let tall = Expr.call(
        "reshape", [column], ["[\(shape[0]), 1]"], shape: [shape[0], 1], bound: column.bound)
      return .binary(pick(["*", "+"]), tall, row)
        .bounded(column.bound * row.bound + column.bound + row.bound)
    }
    let focused = candidates.filter { v in focus.map { v.roots.contains($0) } ?? false }
    let v = !focused.isEmpty && chance(0.75) ? pick(focused) : pick(candidates)
    // Sometimes the definition's text written again: equal in value, but not the name, so
    // `grad` with respect to the name must not follow it.
    if v.kind == .definition, let text = v.text, !(inBody && text.contains("grad(")),
      chance(0.08)
    {
      var e = Expr.leaf(v)
      (e.text, e.level, e.roots) = ("(\(text))", .atom, v.roots.subtracting([v.name]))
      return e
    }
    return .leaf(v)
  }

  /// A number literal, positive or negative, in about ±[0.1, 2].
  mutating func literal() -> Expr {
    let k = pick([0.1, 0.2, 0.25, 0.3, 0.5, 0.7, 0.75, 1.25, 1.5, 2.0])
    let negative = chance(0.3)
    let text = k == k.rounded() ? String(Int(k)) : String(k)
    return Expr(
      text: negative ? "-" + text : text, level: negative ? .unary : .atom, shape: [], bound: k,
      lower: negative ? nil : k, roots: [])
  }

  /// An operand that broadcasts against `shape`: that shape, a scalar, a literal, the last
  /// axis alone, or a column `[r, 1]` or row `[1, c]` of a matrix.
  mutating func broadcastOperand(_ shape: [Int], _ depth: Int) -> Expr {
    guard isBuilt(shape) else {
      return chance(0.5) ? expression(shape, depth: depth) : literal()
    }
    switch pick(10) {
    case 0..<5: return expression(shape, depth: depth)
    case 5: return literal()
    case 6: return expression([], depth: depth)
    case 7 where shape.count == 2: return expression([shape[1]], depth: depth)
    case 8 where shape.count == 2:
      let x = expression([shape[0]], depth: depth)
      return .call("reshape", [x], ["[\(shape[0]), 1]"], shape: [shape[0], 1], bound: x.bound)
    case 9 where shape.count == 2:
      let x = expression([shape[1]], depth: depth)
      return .call("reshape", [x], ["[1, \(shape[1])]"], shape: [1, shape[1]], bound: x.bound)
    default: return expression(shape, depth: depth)
    }
  }

  /// An elementwise function of `x`: `exp` only within ±3, `tan` only within ±1.2.
  mutating func unary(of x: Expr) -> Expr {
    let shape = x.shape
    if x.bound <= 1.2, chance(0.05) {
      return .call("tan", [x], shape: shape, bound: tan(x.bound))
    }
    switch pick(x.bound <= 3 ? 10 : 9) {
    case 0: return .call("sin", [x], shape: shape, bound: min(1, x.bound))
    case 1: return .call("cos", [x], shape: shape, bound: 1)
    case 2: return .call("tanh", [x], shape: shape, bound: min(1, x.bound))
    case 3:
      return .call("sigmoid", [x], shape: shape, bound: 1, lower: 1 / (1 + exp(x.bound)))
    case 4: return .call("square", [x], shape: shape, bound: x.bound * x.bound)
    case 5: return .call("abs", [x], shape: shape, bound: x.bound)
    case 6: return .call("relu", [x], shape: shape, bound: x.bound)
    case 7:
      let negated = Expr(
        text: "-" + x.operand(.power), level: .unary, shape: shape, bound: x.bound, lower: nil,
        roots: x.roots)
      return negated
    case 8: return .call("tanh", [x], shape: shape, bound: min(1, x.bound))
    default:
      return .call("exp", [x], shape: shape, bound: exp(x.bound), lower: exp(-x.bound))
    }
  }

  /// `x ^ 2`, `x ^ 3`, or a positive base to a non-integer, negative, named-number or
  /// computed exponent.
  mutating func power(_ shape: [Int], _ depth: Int) -> Expr {
    func raise(_ base: Expr, _ exponent: Expr, bound: Double, lower: Double?) -> Expr {
      Expr(
        text: "\(base.operand(.atom)) ^ \(exponent.operand(.unary))", level: .power,
        shape: Expr.broadcast(base.shape, exponent.shape), bound: bound, lower: lower,
        roots: base.roots.union(exponent.roots))
    }
    func number(_ k: Double) -> Expr {
      Expr(
        text: k < 0 ? "-\(-k)" : "\(k)", level: k < 0 ? .unary : .atom, shape: [],
        bound: Swift.abs(k),
        lower: nil, roots: [])
    }
    switch pick(4) {
    case 0:
      let x = expression(shape, depth: depth)
      let k = x.bound < 4 ? pick([2.0, 3.0]) : 2
      let e = Expr(
        text: k == 2 ? "2" : "3", level: .atom, shape: [], bound: k, lower: k, roots: [])
      return raise(x, e, bound: pow(x.bound, k), lower: nil)
    case 1:
      let x = positive(shape, depth)
      let lo = x.lower ?? 1
      let k = pick([0.5, 1.5, -1, -0.5, 2.5])
      let (hi, low) = k > 0 ? (pow(x.bound, k), pow(lo, k)) : (pow(lo, k), pow(x.bound, k))
      return raise(x, number(k), bound: hi, lower: low)
    case 2:
      let x = positive(shape, depth)
      let lo = x.lower ?? 1
      var e = expression(chance(0.5) ? [] : shape, depth: depth)
      if e.bound > 2 { e = .call("tanh", [e], shape: e.shape, bound: 1) }
      let top = pow(max(x.bound, 1 / lo), e.bound)
      return .call("pow", [x, e], shape: shape, bound: top, lower: 1 / top)
    default:
      // A named number as the exponent (so grad with respect to it sees x^c log x).
      let numbers = pool.filter { $0.kind == .number && $0.bound <= 2 }
      guard !numbers.isEmpty else { return power(shape, depth) }
      let x = positive(shape, depth)
      let lo = x.lower ?? 1
      let top = pow(max(x.bound, 1 / lo), 2)
      return raise(x, .leaf(pick(numbers)), bound: top, lower: 1 / top)
    }
  }

  /// `x + y`, `x - y` or `x * y`, one operand of `shape` and the other broadcasting.
  mutating func arithmetic(_ shape: [Int], _ depth: Int) -> Expr {
    let x = expression(shape, depth: depth)
    let y = broadcastOperand(shape, depth)
    let (l, r) = chance(0.5) ? (x, y) : (y, x)
    switch pick(3) {
    case 0: return .binary("+", l, r)
    case 1: return .binary("-", l, r)
    default: return .binary("*", l, r)
    }
  }

  /// A 0/1 mask of `shape`: two values compared (or one against a literal).
  mutating func comparison(_ shape: [Int], _ depth: Int) -> Expr {
    let x = expression(shape, depth: depth)
    let y = chance(0.5) ? literal() : broadcastOperand(shape, depth)
    return .binary(pick(["<", "<=", ">", ">=", "<", "<=", ">", ">=", "==", "!="]), x, y)
  }

  /// A value of `shape` that is positive, with a lower bound of at least 0.02.
  mutating func positive(_ shape: [Int], _ depth: Int) -> Expr {
    let known = pool.filter { $0.shape == shape && ($0.lower ?? 0) >= 0.02 }
    if !known.isEmpty, chance(0.3) { return .leaf(pick(known)) }
    var x = expression(shape, depth: max(depth - 1, 0))
    switch pick(5) {
    case 0:
      if x.bound > 2.5 { x = .call("tanh", [x], shape: shape, bound: 1) }
      return .call("sigmoid", [x], shape: shape, bound: 1, lower: 1 / (1 + exp(x.bound)))
    case 1:
      let t = Expr.call("tanh", [x], shape: shape, bound: min(1, x.bound))
      return .call("exp", [t], shape: shape, bound: exp(t.bound), lower: exp(-t.bound))
    case 2 where !shape.isEmpty && isBuilt(shape):
      let t = Expr.call("tanh", [x], shape: shape, bound: min(1, x.bound))
      let n = Double(shape.last ?? 1)
      return .call(
        "softmax", [t], ["-1"], shape: shape, bound: 1, lower: exp(-2 * t.bound) / n)
    case 3:
      let k = positiveLiteral()
      var e = Expr.binary("+", .call("abs", [x], shape: shape, bound: x.bound), k)
      e.lower = k.bound
      return e
    default:
      let k = positiveLiteral()
      var e = Expr.binary("+", .call("square", [x], shape: shape, bound: x.bound * x.bound), k)
      e.lower = k.bound
      return e
    }
  }

  /// A literal in [0.1, 2].
  mutating func positiveLiteral() -> Expr {
    var k = literal()
    if k.lower == nil {
      k = Expr(
        text: String(k.text.dropFirst()), level: .atom, shape: [], bound: k.bound, lower: k.bound,
        roots: [])
    }
    return k
  }
}

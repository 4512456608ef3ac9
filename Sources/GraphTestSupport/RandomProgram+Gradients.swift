import Foundation

/// `grad` in every position: statements, inline in expressions, nested (second and third
/// order), and unrolled gradient descent.
extension ProgramGenerator {
  /// The magnitude assumed for a gradient; `RandomProgram.generate` rejects programs whose
  /// values turn out larger than `RandomProgram.largestValue`.
  static let gradientBound = 10.0

  /// `grad(y, x)` with `y` a scalar built around `x`.
  mutating func gradient(of x: PoolValue, depth: Int) -> Expr {
    let y = scalar(around: x, depth: depth)
    return gradient(y, x)
  }

  /// The text `grad(y, x)`.
  func gradient(_ y: Expr, _ x: PoolValue) -> Expr {
    Expr(
      text: "grad(\(y.text), \(x.name))", level: .atom, shape: x.shape,
      bound: Self.gradientBound, lower: nil, roots: y.roots.union(x.roots))
  }

  /// A scalar that most likely depends on `x`: a scalar value built from it, a reduction of
  /// an elementwise expression of it, or any scalar expression preferring leaves that depend
  /// on it. Now and then `x` itself (for a named number, `grad(c, c)`) or a literal.
  mutating func scalar(around x: PoolValue, depth: Int) -> Expr {
    let saved = focus
    focus = x.root
    defer { focus = saved }
    if chance(0.02) { return literal() }
    if x.shape.isEmpty, chance(x.kind == .number ? 0.2 : 0.05) { return .leaf(x) }
    let dependents = pool.filter {
      $0.shape.isEmpty && $0.roots.contains(x.root) && $0.name != x.name
    }
    switch pick(20) {
    case 0..<4 where !dependents.isEmpty: return .leaf(pick(dependents))
    case 18..<20 where x.shape.isEmpty: return expression([], depth: max(depth, 1))
    default:
      // A reduction of an elementwise expression of x's shape, most often with a function
      // of x itself as one factor or term.
      var inner = expression(x.shape, depth: depth)
      if chance(0.7) {
        let own = unary(of: .leaf(x))
        inner = .binary(pick(["*", "+", "-"]), own, inner)
        inner = tamed(inner.bounded(inner.bound + own.bound * inner.bound))
      }
      if x.shape.count == 1, isBuilt(x.shape), chance(0.25) {
        return .call("logsumexp", [inner], [axis(0, of: 1)], shape: [], bound: inner.bound + 2)
      }
      if x.shape.count == 2, isBuilt(x.shape), chance(0.15) {
        let labels = Expr.call(
          "softmax", [expression(x.shape, depth: 0)], ["-1"], shape: x.shape, bound: 1)
        return .call("cross_entropy", [inner, labels], shape: [], bound: 2 * inner.bound + 2)
      }
      let n = Double(x.shape.reduce(1, *))
      if chance(0.5) { return .call("mean", [inner], shape: [], bound: inner.bound) }
      return .call("sum", [inner], shape: [], bound: n * inner.bound)
    }
  }

  /// A scalar around a random value, for `l = ...` statements.
  mutating func scalar(depth: Int) -> Expr {
    scalar(around: pick(pool), depth: depth)
  }

  /// What `grad` is taken with respect to: first a kind (input, param, definition, alias,
  /// named number, gradient, view), then a value of that kind.
  mutating func target() -> PoolValue {
    let kinds: [PoolValue.Kind] = [.input, .param, .definition, .alias, .number, .gradient, .view]
    let present = kinds.filter { kind in pool.contains { $0.kind == kind } }
    let kind = pick(present)
    return pick(pool.filter { $0.kind == kind })
  }

  /// `g = grad(y, x)`.
  mutating func gradientStatement() {
    let x = target()
    define("g", gradient(of: x, depth: 1 + pick(3)), kind: .gradient)
  }

  /// A gradient of an expression holding a gradient: a Hessian-vector product, a gradient
  /// with respect to an earlier gradient, a gradient of a scalar built from one, or the
  /// second or third derivative with respect to a scalar.
  mutating func secondOrderStatement() {
    let gradients = pool.filter { $0.text?.contains("grad(") ?? false }
    switch pick(5) {
    case 1 where !gradients.isEmpty:
      // grad(y, g): the earlier gradient as the variable.
      let g = pick(gradients)
      define("h", gradient(of: g, depth: 1 + pick(2)), kind: .gradient)
    case 2 where !gradients.isEmpty:
      // y built from an earlier gradient, differentiated with respect to what it depends on.
      let g = pick(gradients)
      let candidates = pool.filter { g.roots.contains($0.root) && $0.name != g.name }
      guard !candidates.isEmpty else { return gradientStatement() }
      let y = scalar(around: g, depth: 1 + pick(2))
      define("h", gradient(y, pick(candidates)), kind: .gradient)
    case 3, 4:
      // d²y/ds², or d³y/ds³, with respect to a scalar.
      let scalars = pool.filter { $0.shape.isEmpty }
      let x = pick(scalars)
      var derivative = gradient(of: x, depth: 1 + pick(2))
      for _ in 0..<(chance(0.3) ? 2 : 1) { derivative = gradient(derivative, x) }
      define("h", derivative, kind: .gradient)
    default:
      // grad(sum(grad(y, x) * v), x): a Hessian-vector product.
      let x = target()
      let inner = gradient(of: x, depth: 1 + pick(2))
      let v = isBuilt(x.shape) ? expression(x.shape, depth: 1) : leaf(x.shape)
      let y = Expr.call("sum", [.binary("*", inner, v)], shape: [], bound: 1)
      define("h", gradient(y, x), kind: .gradient)
    }
  }

  /// Unrolled gradient descent on a loss `L`:
  ///
  /// ```
  /// l0 = L(w)
  /// u0 = w - 0.1 * grad(l0, w)
  /// l1 = L(u0)
  /// g = grad(l1, u0)    # or grad(l1, w), or with respect to what w is built from
  /// ```
  mutating func gradientDescent() {
    let candidates = pool.filter { isBuilt($0.shape) && $0.kind != .number }
    let w = pick(candidates)
    // The loss, written once around a placeholder standing for the iterate.
    let placeholder = PoolValue(
      name: "ITERATE", kind: .view, shape: w.shape, bound: w.bound + 1, lower: nil,
      roots: ["ITERATE"], text: nil, root: "ITERATE")
    pool.append(placeholder)
    var loss = scalar(around: placeholder, depth: 1 + pick(2))
    if !loss.text.contains("ITERATE") {
      let own = Expr.call(
        "sum", [.call("square", [.leaf(placeholder)], shape: w.shape, bound: 9)], shape: [],
        bound: 9)
      loss = .binary("+", own, loss)
    }
    pool.removeLast()
    func at(_ v: PoolValue) -> Expr {
      var e = loss
      e.text = e.text.replacingOccurrences(of: "ITERATE", with: v.name)
      e.roots = e.roots.subtracting(["ITERATE"]).union(v.roots)
      return e
    }
    let step = pick(["0.1", "0.05", "0.2"])
    let l0 = define("l", at(w))
    let update = Expr(
      text: "\(w.name) - \(step) * grad(\(l0.name), \(w.name))", level: .additive,
      shape: w.shape, bound: w.bound + 2, lower: nil, roots: l0.roots.union(w.roots))
    let u0 = define("u", update)
    let l1 = define("l", at(u0))
    var final = l1
    if chance(0.3) {
      let update = Expr(
        text: "\(u0.name) - \(step) * grad(\(l1.name), \(u0.name))", level: .additive,
        shape: w.shape, bound: u0.bound + 2, lower: nil, roots: l1.roots.union(u0.roots))
      final = define("l", at(define("u", update)))
    }
    let sources = pool.filter { w.roots.contains($0.name) && [.input, .param].contains($0.kind) }
    let x = chance(0.4) ? u0 : (chance(0.6) || sources.isEmpty ? w : pick(sources))
    define("g", gradient(.leaf(final), x), kind: .gradient)
  }
}

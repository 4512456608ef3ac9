/// Loops in random programs: a `def` run by `repeat` or `scan`, its body built from its
/// parameters and the values of the file above it (captured), its results values like any
/// other (read by later expressions and differentiated through).
extension ProgramGenerator {
  /// ```
  /// def f0(p0, p1, p2)
  ///   b0 = EXPR
  ///   return 0.5 * p0 + 0.5 * tanh(EXPR), 0.5 * p1 + 0.5 * tanh(EXPR), EXPR
  /// end
  /// q0_0, q0_1, q0_2 = scan(f0, [tanh(EXPR), tanh(EXPR)], [xs])
  /// y0 = q0_0 + 0
  /// ```
  /// A body may also run an earlier one-carry function with `repeat` (loops nested in
  /// loops). One or two carries, each kept within ±1 (half the old value plus half a `tanh`, from a
  /// `tanh` start), so any trip count stays bounded; `repeat` runs 0 to 5 times, `scan` over
  /// the rows of a vector or matrix of the pool, with a per-step value now and then. Each
  /// result gets a definition of its own (`y = q + 0`), which `grad` may take as its variable
  /// (the oracle perturbs definitions, not the names of a call with several results). The
  /// only `grad` inside a body is with respect to one of its parameters (`inBody` keeps the
  /// others out).
  mutating func loopStatement() {
    let function = fresh("f")
    let carryShapes = (0..<(1 + pick(2))).map { _ in pick(shapes) }
    let scanned = pool.filter { !$0.shape.isEmpty && isBuilt(Array($0.shape.dropFirst())) }
    let xs: PoolValue? = !scanned.isEmpty && chance(0.5) ? pick(scanned) : nil
    let inits = carryShapes.map { shape -> Expr in
      let e = expression(shape, depth: 1 + pick(2))
      return .call("tanh", [e], shape: shape, bound: 1)
    }

    // The body: its parameters join the pool while it is written.
    let saved = pool
    var parameters: [PoolValue] = carryShapes.map { shape in
      let name = fresh("p")
      return PoolValue(
        name: name, kind: .input, shape: shape, bound: 1, lower: nil, roots: [name], text: nil,
        root: name)
    }
    if let xs {
      let name = fresh("p")
      parameters.append(
        PoolValue(
          name: name, kind: .input, shape: Array(xs.shape.dropFirst()), bound: xs.bound,
          lower: xs.lower, roots: [name], text: nil, root: name))
    }
    pool += parameters
    inBody = true
    var body = ["def \(function)(\(parameters.map(\.name).joined(separator: ", ")))"]
    var used = Set<String>()
    var locals: [String] = []
    if chance(0.6) {
      let local = fresh("b")
      locals.append(local)
      // Now and then the gradient of a scalar built around a parameter, with respect to it:
      // nested differentiation, which the derivatives through the loop then differentiate.
      let e =
        chance(0.4)
        ? gradient(of: pick(parameters), depth: 1 + pick(2))
        : expression(pick(shapes), depth: 1 + pick(2))
      body.append("  \(local) = \(e.text)")
      used.formUnion(e.roots)
      pool.append(
        PoolValue(
          name: local, kind: .input, shape: e.shape, bound: e.bound, lower: e.lower,
          roots: e.roots.union([local]), text: nil, root: local))
    }
    if let inner = repeatable.isEmpty || !chance(0.8) ? nil : pick(repeatable) {
      // An earlier function run as a loop inside this body, from a value of the body: its
      // derivatives go through both loops.
      let local = fresh("b")
      locals.append(local)
      let start = expression(inner.shape, depth: 1 + pick(2))
      used.formUnion(start.roots)
      body.append("  \(local) = repeat(\(inner.name), \(1 + pick(3)), tanh(\(start.text)))")
      pool.append(
        PoolValue(
          name: local, kind: .input, shape: inner.shape, bound: 1, lower: nil,
          roots: start.roots.union([local]), text: nil, root: local))
    }
    var results: [Expr] = []
    for (k, shape) in carryShapes.enumerated() {
      let e = expression(shape, depth: 1 + pick(2))
      used.formUnion(e.roots)
      results.append(
        Expr(
          text: "0.5 * \(parameters[k].name) + 0.5 * tanh(\(e.text))", level: .additive,
          shape: shape, bound: 1, lower: nil, roots: []))
    }
    var stacked: [Int]? = nil
    if xs != nil, chance(0.6) {
      let shape = pick(shapes)
      let e = tamed(expression(shape, depth: 1 + pick(2)))
      used.formUnion(e.roots)
      results.append(e)
      stacked = shape
    }
    body.append("  return " + results.map(\.text).joined(separator: ", "))
    body.append("end")
    inBody = false
    pool = saved
    lines += body

    // The call and a definition per result.
    let captured = used.subtracting(parameters.map(\.name)).subtracting(locals)
    var roots = inits.reduce(into: captured) { $0.formUnion($1.roots) }
    let initText = inits.map(\.text).joined(separator: ", ")
    let call: String
    var resultShapes = carryShapes
    var bounds = carryShapes.map { _ in 1.0 }
    if let xs {
      roots.formUnion(xs.roots)
      call = "scan(\(function), [\(initText)], [\(xs.name)])"
      if let stacked, let per = results.last {
        resultShapes.append([xs.shape[0]] + stacked)
        bounds.append(per.bound)
      }
    } else {
      call = "repeat(\(function), \(pick([0, 1, 2, 3, 5])), \(initText))"
      if carryShapes.count == 1 { repeatable.append((function, carryShapes[0])) }
    }
    let names = resultShapes.indices.map { _ in fresh("q") }
    lines.append("\(names.joined(separator: ", ")) = \(call)")
    for (k, name) in names.enumerated() {
      let e = Expr(
        text: "\(name) + 0", level: .additive, shape: resultShapes[k], bound: bounds[k],
        lower: nil, roots: roots)
      define("y", e)
    }
  }
}

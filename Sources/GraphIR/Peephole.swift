/// Local simplifications applied as each node is built.
///
/// Two tiers, so that a use of a value stays a use of that value while gradients may still
/// be taken with respect to it (`grad(y, v)` follows the uses of `v`'s node):
/// - *local* rules look only at the operands' identities and at which operands are constants
///   (folding, `x*1 = x`, `x + x = 2*x`, canonical operand order). They build nothing from an
///   operand's own operands, so every use they keep is a use of the same node. They run
///   whenever the builder simplifies.
/// - *look-through* rules rewrite an operand's definition (`-(c*x) = (-c)*x`, `-(-x) = x`,
///   reshape of a reshape). They would replace a use of a named value with an expression of
///   its operands, so they run only in `Simplify.run`, after every gradient has been built
///   (`GraphBuilder.Rewrites.all`).
///
/// Every rule is exact in IEEE arithmetic for all inputs (NaN and infinities included), up
/// to the sign of a zero result: `x*0` and `x-x` are never folded, because `inf*0` and
/// `inf-inf` are NaN. Rules only ever build smaller or equal graphs, or move a negation
/// outward (toward a `sub`), so rewriting terminates.
///
/// Constants are combined only where that is exact: `c1*(c2*x)` when one factor is ±2^k, which
/// only moves the exponent (the one caveat: an intermediate that overflowed or underflowed
/// before no longer does, so the result is the finite, more accurate value). Products of other
/// constants, even small integers, are not combined: `3*(3*x)` rounds twice, `9*x` once, and
/// they differ in the last bit. Negations are exact, so signs move freely:
/// `-(c*x) = (-c)*x`, `(-a)*b = -(a*b)`, `a + (-c)*b = a - c*b`, `-(a - b) = b - a`.
/// `x + x = 2*x` is exact too (including overflow to inf).
enum Peephole {
  static func simplify(
    _ op: Op, _ inputs: [NodeID], _ type: TensorType, lookingThrough full: Bool,
    in b: GraphBuilder
  ) throws -> NodeID? {
    let consts = inputs.map { b[$0].op.constantValue }
    func const(_ i: Int) -> Double? { consts[i] }
    func isConst(_ i: Int, _ v: Double) -> Bool { consts[i] == v }
    func operand(_ i: Int) -> Node { b[inputs[i]] }

    // Folding: a filled constant stays a filled constant through elementwise and shape ops.
    let known = consts.compactMap { $0 }
    if op.isElementwise, !inputs.isEmpty, known.count == consts.count {
      return b.constant(ScalarMath.apply(op, known), type)
    }

    switch op {
    case .broadcast, .reshape, .transpose, .slice:
      if let c = const(0) { return b.constant(c, type) }
      if b.type(inputs[0]) == type, !isReorder(op) { return inputs[0] }
      if case .transpose(let perm) = op, perm == Array(perm.indices) { return inputs[0] }
      // Two reshapes, or two broadcasts, in a row are one.
      if full, case .reshape = op, case .reshape = operand(0).op {
        return try b.apply(.reshape, operand(0).inputs, type: type)
      }
      if full, case .broadcast = op, case .broadcast = operand(0).op {
        return try b.apply(.broadcast, operand(0).inputs, type: type)
      }
      // Two transposes in a row are one: result axis k is the inner one's axis outer[k],
      // which is the source's axis inner[outer[k]].
      if full, case .transpose(let outer) = op, case .transpose(let inner) = operand(0).op {
        let composed = outer.map { inner[$0] }
        let source = operand(0).inputs[0]
        if composed == Array(composed.indices) { return source }
        return try b.apply(.transpose(composed), [source], type: type)
      }
      return nil
    case .pad:
      if isConst(0, 0) { return b.constant(0, type) }
      return b.type(inputs[0]) == type ? inputs[0] : nil
    case .cast:
      return b.type(inputs[0]) == type ? inputs[0] : nil
    case .stopGradient:
      // Only once every gradient is built (`Simplify`): until then it holds the constant.
      return full ? inputs[0] : nil
    case .sum(let axes):
      if axes.isEmpty { return inputs[0] }
      if let c = const(0) {
        let n = axes.reduce(1) { $0 * b.type(inputs[0]).shape[$1] }
        return b.constant(c * Double(n), type)
      }
      return nil
    case .reduceMax(let axes):
      if axes.isEmpty { return inputs[0] }
      if let c = const(0), b.type(inputs[0]).count > 0 { return b.constant(c, type) }
      return nil
    case .concat, .window, .windowSum:
      return nil
    case .cumsum(let axis, _):
      // A running sum over one element is that element.
      return b.type(inputs[0]).shape[axis] == 1 ? inputs[0] : nil
    case .neg:
      guard full else { return nil }
      let inner = operand(0)
      if case .neg = inner.op { return inner.inputs[0] }
      if case .sub = inner.op { return try b.apply(.sub, [inner.inputs[1], inner.inputs[0]]) }
      if case .mul = inner.op, let c = b[inner.inputs[0]].op.constantValue {
        return try b.apply(.mul, [b.constant(-c, type), inner.inputs[1]])
      }
      return nil
    case .add:
      if isConst(1, 0) { return inputs[0] }
      if isConst(0, 0) { return inputs[1] }
      if full, case .neg = operand(1).op {
        return try b.apply(.sub, [inputs[0], operand(1).inputs[0]])
      }
      if full, case .neg = operand(0).op {
        return try b.apply(.sub, [inputs[1], operand(0).inputs[0]])
      }
      if inputs[0] == inputs[1] { return try b.apply(.mul, [b.constant(2, type), inputs[0]]) }
      // a + (-c) = a - c and a + (-c)*x = a - c*x, so printed sums read as differences.
      for (i, other) in [(1, 0), (0, 1)] where full {
        if let negated = try negatedTerm(inputs[i], type, in: b) {
          return try b.apply(.sub, [inputs[other], negated])
        }
      }
      // Canonical order for deduplication: constants last, otherwise older node first.
      if const(0) != nil || (const(1) == nil && inputs[1] < inputs[0]) {
        return b.intern(Node(.add, [inputs[1], inputs[0]], type))
      }
      return nil
    case .sub:
      if isConst(1, 0) { return inputs[0] }
      if isConst(0, 0) { return try b.apply(.neg, [inputs[1]]) }
      if full, case .neg = operand(1).op {
        return try b.apply(.add, [inputs[0], operand(1).inputs[0]])
      }
      if full, let negated = try negatedTerm(inputs[1], type, in: b) {
        return try b.apply(.add, [inputs[0], negated])
      }
      return nil
    case .mul:
      if isConst(0, 1) { return inputs[1] }
      if isConst(1, 1) { return inputs[0] }
      if isConst(0, -1) { return try b.apply(.neg, [inputs[1]]) }
      if isConst(1, -1) { return try b.apply(.neg, [inputs[0]]) }
      if full, case .neg = operand(0).op, case .neg = operand(1).op {
        return try b.apply(.mul, [operand(0).inputs[0], operand(1).inputs[0]])
      }
      // c * (-x) = (-c) * x; otherwise a negation moves out of a product: (-a)*b = -(a*b).
      if full, let c = const(0), case .neg = operand(1).op {
        return try b.apply(.mul, [b.constant(-c, type), operand(1).inputs[0]])
      }
      for i in 0..<2 where full {
        if case .neg = operand(i).op, const(1 - i) == nil {
          let rest =
            i == 0 ? [operand(0).inputs[0], inputs[1]] : [inputs[0], operand(1).inputs[0]]
          return try b.apply(.neg, [b.apply(.mul, rest)])
        }
      }
      // c1 * (c2 * x) = (c1*c2) * x exactly when one factor is a power of two.
      if full, let c1 = const(0), case .mul = operand(1).op,
        let c2 = b[operand(1).inputs[0]].op.constantValue,
        isPowerOfTwo(c1) || isPowerOfTwo(c2)
      {
        return try b.apply(.mul, [b.constant(c1 * c2, type), operand(1).inputs[1]])
      }
      // Canonical order: constants first, otherwise older node first.
      if const(1) != nil && const(0) == nil || (const(0) == nil && inputs[1] < inputs[0]) {
        return try b.apply(.mul, [inputs[1], inputs[0]])
      }
      return nil
    case .div:
      if isConst(1, 1) { return inputs[0] }
      if isConst(1, -1) { return try b.apply(.neg, [inputs[0]]) }
      // (-c)/b = -(c/b) for a constant c > 0, and (-a)/b = a/(-b) = -(a/b).
      if let c = const(0), c < 0, const(1) == nil {
        return try b.apply(.neg, [b.apply(.div, [b.constant(-c, type), inputs[1]])])
      }
      for i in 0..<2 where full {
        if case .neg = operand(i).op {
          let rest =
            i == 0 ? [operand(0).inputs[0], inputs[1]] : [inputs[0], operand(1).inputs[0]]
          return try b.apply(.neg, [b.apply(.div, rest)])
        }
      }
      // x / c = x * (1/c) exactly when c is a power of two.
      if let c = const(1), isPowerOfTwo(c), (1 / c).isFinite, (1 / c) != 0 {
        return try b.apply(.mul, [b.constant(1 / c, type), inputs[0]])
      }
      return nil
    case .pow:
      if isConst(1, 1) { return inputs[0] }
      if isConst(1, 0) { return b.constant(1, type) }
      return nil
    case .maximum, .minimum, .equal, .notEqual:
      if inputs[1] < inputs[0] { return try b.apply(op, [inputs[1], inputs[0]]) }
      return nil
    case .select:
      if let c = const(0) { return c != 0 ? inputs[1] : inputs[2] }
      if inputs[1] == inputs[2] { return inputs[1] }
      return nil
    case .input, .param, .constant, .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs, .erf,
      .lgamma, .polygamma, .less, .lessEqual, .greater, .greaterEqual, .matmul, .iota, .take,
      .scatterAdd, .allreduce:
      return nil
    }
  }

  /// For a term `-c` or `(-c)*x` with `c > 0`, the positive term `c` or `c*x`; else nil.
  private static func negatedTerm(_ id: NodeID, _ type: TensorType, in b: GraphBuilder) throws
    -> NodeID?
  {
    let node = b[id]
    if let c = node.op.constantValue, c < 0 { return b.constant(-c, type) }
    if case .mul = node.op, let c = b[node.inputs[0]].op.constantValue, c < 0 {
      return try b.apply(.mul, [b.constant(-c, type), node.inputs[1]])
    }
    return nil
  }

  /// A transpose can keep the shape while moving elements.
  private static func isReorder(_ op: Op) -> Bool {
    if case .transpose(let perm) = op { return perm != Array(perm.indices) }
    if case .slice(_, _, let step) = op { return step.contains { $0 != 1 } }
    return false
  }

  /// True for ±2^k: multiplying by it only changes the exponent.
  static func isPowerOfTwo(_ c: Double) -> Bool {
    c.isFinite && c != 0 && c.significandBitPattern == 0 && c.exponentBitPattern != 0
  }
}

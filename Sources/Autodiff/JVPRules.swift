import GraphIR

/// The Jacobian-vector product of one node: given the tangents of its operands (nil for a
/// symbolic zero; at least one is non-nil), the tangent of its result, or nil for zero.
///
/// One exhaustive switch in `Op` order; the conventions at kinks match `vjp`.
func jvp(_ node: Node, _ z: NodeID, tangents t: [NodeID?], in b: GraphBuilder) throws -> NodeID? {
  let x = node.inputs.first ?? z
  let y = node.inputs.count > 1 ? node.inputs[1] : z
  let tx = t.first ?? nil
  let ty = t.count > 1 ? t[1] : nil
  func one(_ v: Double) -> NodeID { b.scalar(v, like: z) }
  // Applies a linear op to the tangent of operand 0 (nil stays nil).
  func linear(_ f: (NodeID) throws -> NodeID) rethrows -> NodeID? { try tx.map(f) }

  switch node.op {
  case .input, .param, .constant, .stopGradient: return nil
  case .neg: return try linear { try b.neg($0) }
  case .exp: return try linear { try b.mul($0, z) }
  case .log: return try linear { try b.div($0, x) }
  case .sin: return try linear { try b.mul($0, b.cos(x)) }
  case .cos: return try linear { try b.neg(b.mul($0, b.sin(x))) }
  case .tan: return try linear { try b.mul($0, b.add(one(1), b.mul(z, z))) }
  case .tanh: return try linear { try b.mul($0, b.sub(one(1), b.mul(z, z))) }
  case .sqrt: return try linear { try b.div($0, b.mul(one(2), z)) }
  case .abs: return try linear { try b.mul($0, sign(x, in: b)) }
  case .erf: return try linear { try b.mul($0, erfDerivative(x, in: b)) }
  case .lgamma: return try linear { try b.mul($0, b.polygamma(x, order: 0)) }
  case .polygamma(let order):
    return try linear { try b.mul($0, polygammaDerivative(x, order: order, in: b)) }
  case .add: return try plus(tx, ty, in: b)
  case .sub: return try plus(tx, ty.map { try b.neg($0) }, in: b)
  case .mul: return try plus(tx.map { try b.mul($0, y) }, ty.map { try b.mul(x, $0) }, in: b)
  case .div: return try quotientTangent(tx, ty, z, y, in: b)
  case .pow:
    return try plus(
      tx.map { try powerBase($0, x, y, in: b) }, ty.map { try powerExponent($0, x, z, in: b) },
      in: b)
  case .maximum:
    return try plus(
      tx.map { try b.mul($0, tieWeight(x, y, in: b)) },
      ty.map { try b.mul($0, tieWeight(y, x, in: b)) },
      in: b)
  case .minimum:
    return try plus(
      tx.map { try b.mul($0, tieWeight(y, x, in: b)) },
      ty.map { try b.mul($0, tieWeight(x, y, in: b)) },
      in: b)
  case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual: return nil
  case .select: return try selectTangent(node.inputs[0], t[1], t[2], in: b)
  case .cast: return try linear { try b.cast($0, to: node.type.dtype) }
  case .broadcast, .reshape, .transpose, .slice, .pad, .sum, .cumsum, .window, .windowSum:
    return try linear { try b.apply(node.op, [$0], type: node.type) }
  case .concat:
    let parts = zip(node.inputs, t).map { operand, tangent in
      tangent ?? b.constant(0, b.type(operand))
    }
    return try b.apply(node.op, parts, type: node.type)
  case .reduceMax(let axes): return try linear { try maxTangent($0, x, z, axes: axes, in: b) }
  case .matmul:
    return try plus(
      tx.map { try b.apply(.matmul, [$0, y]) }, ty.map { try b.apply(.matmul, [x, $0]) }, in: b)
  case .iota: return nil
  case .take, .scatterAdd: return try linear { try b.apply(node.op, [$0, y], type: node.type) }
  case .allreduce: return try linear { try b.apply(.allreduce, [$0]) }
  }
}

/// The sum of two optional tangents, nil meaning zero.
func plus(_ a: NodeID?, _ c: NodeID?, in b: GraphBuilder) throws -> NodeID? {
  guard let a else { return c }
  guard let c else { return a }
  return try b.add(a, c)
}

// d(a/b) = da/b - (a/b) db/b = (da - z db) / b, with z = a/b the result.
private func quotientTangent(
  _ ta: NodeID?, _ tb: NodeID?, _ z: NodeID, _ d: NodeID, in b: GraphBuilder
)
  throws -> NodeID?
{
  guard let top = try plus(ta, tb.map { try b.neg(b.mul(z, $0)) }, in: b) else { return nil }
  return try b.div(top, d)
}

// d select(c, a, b) = select(c, da, db); the condition carries no tangent.
private func selectTangent(_ c: NodeID, _ ta: NodeID?, _ tb: NodeID?, in b: GraphBuilder) throws
  -> NodeID?
{
  guard ta != nil || tb != nil else { return nil }
  let zero = b.scalar(0, like: c)
  return try b.select(c, ta ?? zero, tb ?? zero)
}

// d max over axes = the mean of the tangents at the tied maxima (see `vjp`):
// sum(dx * (x == m)) / count(x == m).
private func maxTangent(_ t: NodeID, _ x: NodeID, _ m: NodeID, axes: [Int], in b: GraphBuilder)
  throws -> NodeID
{
  let isMax = try b.equal(x, expand(m, axes: axes, to: b.type(x).shape, in: b))
  return try b.div(b.sum(b.mul(t, isMax), axes: axes), b.sum(isMax, axes: axes))
}

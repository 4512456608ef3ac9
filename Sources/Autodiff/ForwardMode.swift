import GraphIR

/// Forward-mode differentiation: the directional derivatives of `ys` when each `xs[i]` moves
/// along `tangents[i]` (a node of `xs[i]`'s type). Appends the tangent graph to the builder and
/// returns one node per `y`, shaped like it (an exact zero when `y` does not depend on any `x`).
///
/// As for `gradient`, an `x` that is a defined value is treated as an independent variable.
/// Cost: about one extra node per node between the `xs` and the `ys`.
public func jvp(
  of ys: [NodeID], withRespectTo xs: [NodeID], tangents: [NodeID], in b: GraphBuilder
) throws -> [NodeID] {
  precondition(xs.count == tangents.count, "jvp: one tangent per variable")
  if let x = xs.first(where: { b.type($0).dtype.isInteger }) {
    throw GraphError.notDifferentiable(op: "jvp", type: b.type(x))
  }
  for (x, t) in zip(xs, tangents) where b.type(x) != b.type(t) {
    throw GraphError.shapeMismatch(op: "jvp", operands: [b.type(x), b.type(t)])
  }
  guard let lowest = xs.min(), let top = ys.max(), lowest <= top else {
    return ys.map { b.constant(0, b.type($0)) }
  }
  var tangent: [NodeID: NodeID] = [:]
  for (x, t) in zip(xs, tangents) { tangent[x] = try plus(tangent[x], t, in: b) }
  for index in lowest.index...top.index {
    let id = NodeID(index)
    if tangent[id] != nil && xs.contains(id) { continue }  // independent variable: seeded
    let node = b[id]
    guard node.type.dtype.isFloat else { continue }  // no derivative through integers
    let incoming = node.inputs.map { tangent[$0] }
    guard incoming.contains(where: { $0 != nil }) else { continue }
    tangent[id] = try jvp(node, id, tangents: incoming, in: b)
  }
  return ys.map { tangent[$0] ?? b.constant(0, b.type($0)) }
}

/// The Hessian-vector product `H v` of the scalar `y` with respect to `x`, by forward mode over
/// reverse mode: the JVP of the gradient along `v`. Costs about four times the graph of `y`,
/// whatever the size of `x`.
public func hvp(of y: NodeID, withRespectTo x: NodeID, vector v: NodeID, in b: GraphBuilder)
  throws -> NodeID
{
  let g = try gradient(of: y, withRespectTo: [x], in: b)
  return try jvp(of: g, withRespectTo: [x], tangents: [v], in: b)[0]
}

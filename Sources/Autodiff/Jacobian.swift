import GraphIR

/// The dense Jacobian of `y` with respect to `x`: a node of shape `y.shape + x.shape` whose
/// entry `[i..., j...]` is `∂y[i...] / ∂x[j...]`.
///
/// Built by one reverse pass per element of `y`, so the graph grows by about `count(y)` times
/// the graph of `y`: meant for small inputs (tests, control problems with a few states).
public func jacobian(of y: NodeID, withRespectTo x: NodeID, in b: GraphBuilder) throws -> NodeID {
  let (yType, xType) = (b.type(y), b.type(x))
  let flat = try b.reshape(y, to: [yType.count])
  var rows: [NodeID] = []
  for i in 0..<yType.count {
    let element = try b.reshape(b.slice(flat, start: [i], end: [i + 1]), to: [])
    let row = try gradient(of: element, withRespectTo: [x], in: b)[0]
    rows.append(try b.reshape(row, to: [1, xType.count]))
  }
  let stacked =
    rows.isEmpty ? b.constant(0, xType.with(shape: [0, xType.count])) : try b.concat(rows, axis: 0)
  return try b.reshape(stacked, to: yType.shape + xType.shape)
}

/// The dense Hessian of the scalar `y` with respect to `x`: shape `x.shape + x.shape`, the
/// Jacobian of the gradient. Costs `count(x)` reverse passes over the gradient graph; for a
/// product with one vector prefer `hvp`.
public func hessian(of y: NodeID, withRespectTo x: NodeID, in b: GraphBuilder) throws -> NodeID {
  let g = try gradient(of: y, withRespectTo: [x], in: b)[0]
  return try jacobian(of: g, withRespectTo: x, in: b)
}

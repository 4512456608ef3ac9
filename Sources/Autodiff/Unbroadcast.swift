import GraphIR

/// Sums a cotangent of a broadcast result back to the operand's shape: over the leading axes
/// broadcasting added and over the axes where the operand had size 1, then reshaped.
///
/// This is the VJP of `broadcast`, the adjoint of repeating values: each operand element
/// receives the sum of the cotangents of all its copies.
func unbroadcast(_ g: NodeID, to shape: [Int], in b: GraphBuilder) throws -> NodeID {
  let full = b.type(g).shape
  let added = full.count - shape.count
  let axes = full.indices.filter { axis in
    axis < added || (shape[axis - added] == 1 && full[axis] != 1)
  }
  return try b.reshape(b.sum(g, axes: axes), to: shape)
}

/// Broadcasts a value reduced over `axes` back to `shape`: the reduced axes are reinserted
/// with size 1, then repeated. This is the VJP of `sum` and the JVP of nothing: a pure copy.
func expand(_ reduced: NodeID, axes: [Int], to shape: [Int], in b: GraphBuilder) throws -> NodeID {
  let kept = shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
  return try b.broadcast(b.reshape(reduced, to: kept), to: shape)
}

import GraphIR

/// Reverse-mode differentiation: appends the backward graph of `y` to the builder that
/// holds it and returns one gradient node per entry of `xs`, each shaped like its `x`.
///
/// The result is ordinary IR in the same builder (a joint graph), so it can be differentiated
/// again for higher derivatives. `y` must be a scalar; the seed cotangent is 1.
///
/// Semantics: the gradient with respect to `x` is the adjoint backpropagation accumulates at
/// `x`. For an input or param that is the usual derivative; for a defined value it treats the
/// value as an independent variable with its own operands held fixed. When `y` does not depend
/// on `x` the result is an exact zero constant of `x`'s type.
///
/// Only nodes between the smallest `x` and `y` are visited, and only operands that depend on
/// some `x` receive a cotangent, so no dead backward work is built. A missing cotangent is a
/// symbolic zero: nothing is emitted for it. No gradient flows through an integer value (an
/// index, a label, a comparison of integers): its cotangent is always a symbolic zero, and
/// an integer `x` is an error (`GraphError.notDifferentiable`).
public func gradient(of y: NodeID, withRespectTo xs: [NodeID], in b: GraphBuilder) throws
  -> [NodeID]
{
  guard b.type(y).isScalar else { throw GraphError.notScalar(op: "grad", type: b.type(y)) }
  if let x = xs.first(where: { b.type($0).dtype.isInteger }) {
    throw GraphError.notDifferentiable(op: "grad", type: b.type(x))
  }
  guard let lowest = xs.min() else { return [] }
  let wanted = Set(xs)
  let reaches = dependence(on: wanted, from: lowest, to: y, in: b)

  var cotangents: [NodeID: NodeID] = [y: b.constant(1, b.type(y))]
  // A loop's cotangents, one per result, gathered from its `result` nodes (which come after
  // it) and used when the sweep reaches the loop.
  var loopCotangents: [NodeID: [Int: NodeID]] = [:]
  var results: [NodeID: NodeID] = [:]
  var id = y
  while id >= lowest {
    let node = b[id]
    let wants = node.inputs.map { $0 >= lowest && reaches[$0.index - lowest.index] }
    var parts: [NodeID?] = []
    if let g = cotangents[id] {
      if wanted.contains(id) { results[id] = g }
      if case .result(let index) = node.op {
        loopCotangents[node.inputs[0], default: [:]][index] = g
      } else if wants.contains(true) {
        parts = try vjp(node, id, cotangent: g, wants: wants, in: b)
      }
    } else if case .loop(let loop) = node.op, let gs = loopCotangents[id], wants.contains(true) {
      parts = try b.withRule("chain rule through a loop (reversed loop)") {
        try loopVJP(loop, node, cotangents: gs, wants: wants, in: b)
      }
    }
    for (operand, part) in zip(node.inputs, parts) {
      guard let part else { continue }
      cotangents[operand] = try b.withRule(accumulationRule) {
        try cotangents[operand].map { try b.add($0, part) } ?? part
      }
    }
    if id.index == 0 { break }
    id = NodeID(id.index - 1)
  }
  return xs.map { results[$0] ?? b.constant(0, b.type($0)) }
}

/// For each node in `lowest ... top`, whether it is one of `xs` or computed from one, as a
/// float value (an integer value carries no derivative).
func dependence(on xs: Set<NodeID>, from lowest: NodeID, to top: NodeID, in b: GraphBuilder)
  -> [Bool]
{
  guard lowest <= top else { return [] }
  var reaches = [Bool](repeating: false, count: top.index - lowest.index + 1)
  for index in lowest.index...top.index {
    let id = NodeID(index)
    reaches[index - lowest.index] =
      b.type(id).dtype.isFloat
      && (xs.contains(id)
        || b[id].inputs.contains { $0 >= lowest && reaches[$0.index - lowest.index] })
  }
  return reaches
}

/// `grad(y, x)` on values: the derivative of the scalar `y` with respect to `x`, shaped like `x`.
public func grad(_ y: Value, _ x: Value) throws -> Value {
  precondition(y.builder === x.builder, "values from two different graphs")
  let result = try gradient(of: y.id, withRespectTo: [x.id], in: y.builder)
  return Value(y.builder, result[0])
}

/// The rule recorded on the sums that add the cotangents of several uses of one value.
let accumulationRule = "multivariable chain rule (sum over uses)"

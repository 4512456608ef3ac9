import GraphIR

/// The vector-Jacobian product of a loop: given the cotangents of its results (by result
/// index; a missing one is zero), the cotangent of each operand (nil where `wants` is false
/// or the operand is an integer).
///
/// With carries `c`, scanned rows `x_t`, captured values `w` and body `(c', y_t) = F(c, x_t,
/// w)`, reverse mode is two loops, both ordinary loop nodes (so they can be differentiated
/// again):
/// 1. the forward loop again, also stacking the carries each iteration starts from, `c_t`;
/// 2. a backward loop over the stacks in the other direction, whose body is the VJP of `F` at `(c_t, x_t,
///    w)`: it carries the cotangent of the carries (`ḡc_{t+1}` to `ḡc_t`) and the sum over
///    iterations of the captured values' cotangents, and stacks the cotangent of each row
///    `x_t`.
/// The body's VJP is the gradient of `Σ <c'_i, ḡc_i> + Σ <y_s, ḡy_s>` with the cotangents held
/// as inputs, which reverse mode on the body gives in one sweep.
func loopVJP(
  _ loop: GraphLoop, _ node: Node, cotangents: [Int: NodeID], wants: [Bool], in b: GraphBuilder
) throws -> [NodeID?] {
  let (k, j, c) = (loop.carries, loop.slices, loop.captures)
  let inits = Array(node.inputs[0..<k])
  let xs = Array(node.inputs[k..<(k + j)])
  let ws = Array(node.inputs[(k + j)...])
  let body = loop.body.graph
  let parameters = loop.body.parameters
  let resultTypes = loop.resultTypes
  let seeds = (0..<resultTypes.count).map { cotangents[$0] ?? b.constant(0, resultTypes[$0]) }
  func wanted(_ parts: [NodeID]) -> [NodeID?] {
    parts.enumerated().map { i, g in wants[i] && b.type(node.inputs[i]).dtype.isFloat ? g : nil }
  }
  guard loop.count > 0 else {
    // No iteration: the carries pass through, nothing else is read.
    return wanted(
      Array(seeds.prefix(k)) + (xs + ws).map { b.constant(0, b.type($0)) })
  }

  // 1. The forward loop, stacking the carries each iteration starts from.
  var stacking = body
  stacking.outputs += parameters.prefix(k).enumerated().map { GraphOutput("c\($0)_in", $1) }
  let forward = try b.loop(
    count: loop.count, body: stacking, carries: inits, slices: xs, captures: ws,
    reverse: loop.reverse)
  let starts = Array(forward[(k + loop.stacked)...])

  // 2. The backward body: carries ḡc (k) and the captured cotangent sums (c); slices c_t (k),
  // x_t (j), ḡy_t (stacked); captured values w (c).
  let types = loop.operandTypes
  let carryTypes = parameters.prefix(k).map { body[$0].type }
  let stepTypes = body.outputs[k...].map { body[$0.node].type }
  let (back, p) = try GraphBuilder.loopBody(
    parameters: carryTypes + types.suffix(c) + carryTypes
      + parameters[k..<(k + j)].map {
        body[$0].type
      } + stepTypes + types.suffix(c))
  let gc = Array(p[0..<k])
  let sums = Array(p[k..<(k + c)])
  let rows = Array(p[(k + c)..<(k + c + k + j)])  // c_t then x_t
  let gy = Array(p[(2 * k + c + j)..<(2 * k + c + j + loop.stacked)])
  let captured = Array(p.suffix(c))
  let outputs = back.inline(body, arguments: rows + captured, pass: "loop VJP")
  var pairing: NodeID? = nil
  for (value, cotangent) in zip(outputs, gc + gy) where back.type(value).dtype.isFloat {
    let term = try back.sum(back.mul(value, cotangent))
    pairing = try pairing.map { try back.add($0, back.cast(term, to: back.type($0).dtype)) } ?? term
  }
  let variables = rows + captured
  let floats = variables.filter { back.type($0).dtype.isFloat }
  var gradients: [NodeID: NodeID] = [:]
  if let pairing, !floats.isEmpty {
    let parts = try gradient(of: pairing, withRespectTo: floats, in: back)
    for (x, g) in zip(floats, parts) { gradients[x] = g }
  }
  func cotangent(_ x: NodeID) -> NodeID { gradients[x] ?? back.constant(0, back.type(x)) }
  let newSums = try zip(sums, captured).map { sum, w in try back.add(sum, cotangent(w)) }
  back.setOutputs(
    (rows.prefix(k).map(cotangent) + newSums + rows.suffix(j).map(cotangent)).enumerated().map {
      GraphOutput("g\($0)", $1)
    })

  let backward = try b.loop(
    count: loop.count, body: back.graph,
    carries: Array(seeds.prefix(k)) + ws.map { b.constant(0, b.type($0)) },
    slices: starts + xs + seeds.suffix(loop.stacked), captures: ws, reverse: !loop.reverse)
  let initial = Array(backward[0..<k])
  let captures = Array(backward[k..<(k + c)])
  let rowsBack = Array(backward.suffix(j))
  return wanted(initial + rowsBack + captures)
}

/// The Jacobian-vector product of a loop: a loop that carries each carry with its tangent
/// and stacks each per-step value with its tangent, whose body is the JVP of the loop's body.
/// Returns the new loop node, the tangent of `node` (read with `resultTangent`).
///
/// Its operands: the carries and their tangents, the scanned values and theirs, the captured
/// values and theirs (a missing tangent is zero). Its results: the carries, their tangents,
/// the per-step values, their tangents.
func loopJVP(_ loop: GraphLoop, _ node: Node, tangents: [NodeID?], in b: GraphBuilder) throws
  -> NodeID
{
  let body = loop.body.graph
  let parameters = loop.body.parameters
  let (k, j) = (loop.carries, loop.slices)
  let types = parameters.map { body[$0].type }
  let groups = [0..<k, k..<(k + j), (k + j)..<parameters.count]
  // Each group's parameters, then the same group's tangents.
  let (inner, p) = try GraphBuilder.loopBody(
    parameters: groups.flatMap { Array(types[$0]) + Array(types[$0]) })
  var values: [NodeID] = []
  var seeds: [NodeID] = []
  var offset = 0
  for group in groups {
    values += p[offset..<(offset + group.count)]
    seeds += p[(offset + group.count)..<(offset + 2 * group.count)]
    offset += 2 * group.count
  }
  let outputs = inner.inline(body, arguments: values, pass: "loop JVP")
  let floats = zip(values, seeds).filter { inner.type($0.0).dtype.isFloat }
  let derivatives = try jvp(
    of: outputs, withRespectTo: floats.map(\.0), tangents: floats.map(\.1), in: inner)
  let ordered =
    Array(outputs.prefix(k)) + derivatives.prefix(k) + outputs.suffix(loop.stacked)
    + derivatives.suffix(loop.stacked)
  inner.setOutputs(ordered.enumerated().map { GraphOutput("o\($0)", $1) })

  let operands = zip(node.inputs, tangents).map { operand, tangent in
    (operand, tangent ?? b.constant(0, b.type(operand)))
  }
  let tangentLoop = GraphLoop(
    count: loop.count, carries: 2 * k, slices: 2 * j, reverse: loop.reverse, body: inner.graph)
  let arguments = groups.flatMap { group in
    group.map { operands[$0].0 } + group.map { operands[$0].1 }
  }
  return try b.apply(.loop(tangentLoop), arguments, name: "loop")
}

/// The tangent of result `index` of `loop`, read from its tangent loop `tangentLoop` (made by
/// `loopJVP`): carry `i` has its tangent at `carries + i`, per-step value `s` at
/// `2 * carries + stacked + s`.
func resultTangent(_ loop: GraphLoop, index: Int, tangentLoop: NodeID, in b: GraphBuilder) throws
  -> NodeID
{
  let (k, m) = (loop.carries, loop.stacked)
  let at = index < k ? k + index : 2 * k + m + (index - k)
  guard case .loop(let tangents) = b[tangentLoop].op else {
    preconditionFailure("the tangent of a loop is a loop:\n\(b.graph.context(around: tangentLoop))")
  }
  return try b.apply(.result(at), [tangentLoop], type: tangents.resultTypes[at], name: "loop")
}

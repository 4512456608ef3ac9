/// Loops: a node whose body is a graph of its own (see `Loop`), read through `result` nodes.
extension GraphBuilder {
  /// A builder for a loop body whose first arguments have `types`, in order: the carries,
  /// then one row of each scanned value, then the captured values known so far (more may be
  /// added with `parameter`). Returns the builder and the parameter nodes.
  public static func loopBody(parameters types: [TensorType]) throws -> (GraphBuilder, [NodeID]) {
    let body = GraphBuilder()
    let parameters = try types.map { try body.parameter($0) }
    return (body, parameters)
  }

  /// Declares the next loop-body parameter (`p0`, `p1`, ... in order) of `type`.
  public func parameter(_ type: TensorType) throws -> NodeID {
    try input(GraphLoop.parameterName(graph.arguments.count), type)
  }

  /// The results of a loop of `count` iterations of `body` (see `Loop`): its final carries,
  /// then its per-step values stacked along a new first axis. `body`'s arguments are the
  /// carries, the slices and the captured values, in that order, and its outputs the new
  /// carries then the per-step values. A loop that never runs and stacks nothing is its
  /// initial carries.
  public func loop(
    count: Int, body: Graph, carries: [NodeID], slices: [NodeID], captures: [NodeID],
    reverse: Bool = false
  ) throws -> [NodeID] {
    let loop = GraphLoop(
      count: count, carries: carries.count, slices: slices.count, reverse: reverse, body: body)
    if count == 0, loop.stacked == 0, loop.bodyProblem == nil,
      carries.map(type) == Array(loop.operandTypes.prefix(carries.count))
    {
      return carries
    }
    let node = try apply(.loop(loop), carries + slices + captures, name: "loop")
    return try loop.resultTypes.enumerated().map { index, type in
      try apply(.result(index), [node], type: type, name: "loop")
    }
  }

  /// Builds `body`'s nodes again here with `arguments` (nodes of this builder) standing for
  /// its arguments, in order, and returns the nodes of its outputs: one iteration of a loop
  /// written out. `pass` names the caller if a node fails to rebuild (a compiler bug).
  public func inline(_ body: Graph, arguments: [NodeID], pass: String) -> [NodeID] {
    var substitutes: [NodeID: NodeID] = [:]
    for (parameter, value) in zip(body.arguments, arguments) { substitutes[parameter] = value }
    let replayed = replay(
      body, keeping: { _ in true }, type: { body[$0].type }, substitutes: substitutes, pass: pass)
    return body.outputs.map { replayed[$0.node] }
  }

}

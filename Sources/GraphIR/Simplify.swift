/// Graph-level clean-up: simplification, common subexpressions and dead code.
public enum Simplify {
  /// Rebuilds the graph through a fresh builder, which applies every peephole rule and merges
  /// identical nodes, then keeps only what the outputs need.
  ///
  /// Expects a verified graph. Guarantees the same outputs (same names and values), every
  /// input and param kept (they are the function's signature) and in the same order.
  public static func run(_ graph: Graph) -> Graph {
    var graph = graph
    for id in graph.ids {
      guard case .loop(var loop) = graph[id].op else { continue }
      loop.body = LoopBody(graph: run(loop.body.graph))  // every parameter is kept
      graph.nodes[id.index] = Node(.loop(loop), graph[id].inputs, graph[id].type)
    }
    let live = liveNodes(graph)
    let builder = GraphBuilder()
    builder.rewrites = .all
    let replayed = builder.replay(
      graph, keeping: { live[$0.index] }, type: { graph[$0].type }, pass: "simplify")
    builder.setOutputs(graph.outputs.map { GraphOutput($0.name, replayed[$0.node]) })
    return removeDead(builder.graph)
  }

  /// Drops nodes no output needs, keeping every input and param.
  public static func removeDead(_ graph: Graph) -> Graph {
    let live = liveNodes(graph)
    var result = Graph()
    result.initializers = graph.initializers
    // The operands of a live node are live, so each is already in `map`.
    var map: [NodeID?] = Array(repeating: nil, count: graph.nodes.count)
    func moved(_ id: NodeID) -> NodeID {
      guard let new = map[id.index] else {
        preconditionFailure(
          "removeDead: \(id) is needed but not live:\n\(graph.context(around: id))")
      }
      return new
    }
    for id in graph.ids where live[id.index] {
      let node = graph[id]
      let new = NodeID(result.nodes.count)
      result.nodes.append(Node(node.op, node.inputs.map(moved), node.type))
      map[id.index] = new
      if let label = graph.labels[id] { result.labels[new] = label }
      if let rule = graph.rules[id] { result.rules[new] = rule }
    }
    result.outputs = graph.outputs.map { GraphOutput($0.name, moved($0.node)) }
    return result
  }

  /// Which nodes are inputs, params, or needed by an output.
  public static func liveNodes(_ graph: Graph) -> [Bool] {
    var live = graph.nodes.map { $0.op.isLeafInput }
    for output in graph.outputs { live[output.node.index] = true }
    for id in graph.ids.reversed() where live[id.index] {
      for input in graph[id].inputs { live[input.index] = true }
    }
    return live
  }
}

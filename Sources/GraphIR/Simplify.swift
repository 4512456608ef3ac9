/// Graph-level clean-up: simplification, common subexpressions and dead code.
public enum Simplify {
  /// Rebuilds the graph through a fresh builder, which applies every peephole rule and merges
  /// identical nodes, then keeps only what the outputs need.
  ///
  /// Expects a verified graph. Guarantees the same outputs (same names and values), every
  /// input and param kept (they are the function's signature) and in the same order.
  public static func run(_ graph: Graph) -> Graph {
    let live = liveNodes(graph)
    let builder = GraphBuilder()
    builder.rewrites = .all
    // The rebuilt ID of each node, by index (an array rather than a dictionary: no hashing in
    // a loop over every node).
    var map = graph.ids
    for id in graph.ids where live[id.index] {
      let node = graph[id]
      let inputs = node.inputs.map { map[$0.index] }
      do {
        let new: NodeID
        switch node.op {
        case .input(let name): new = try builder.input(name, node.type)
        case .param(let name):
          new = try builder.param(
            name, node.type, initializer: graph.initializers[name] ?? .fill(0))
        default: new = try builder.apply(node.op, inputs, type: node.type)
        }
        map[id.index] = new
        if let label = graph.labels[id] { builder.label(new, label) }
        if let rule = graph.rules[id] { builder.setRule(new, rule) }
      } catch {
        preconditionFailure(
          "simplify: rebuilding a verified node failed: \(error)\n\(graph.context(around: id))")
      }
    }
    builder.setOutputs(graph.outputs.map { GraphOutput($0.name, map[$0.node.index]) })
    return removeDead(builder.graph)
  }

  /// Drops nodes no output needs, keeping every input and param.
  public static func removeDead(_ graph: Graph) -> Graph {
    let live = liveNodes(graph)
    var result = Graph()
    result.initializers = graph.initializers
    var map = graph.ids  // the new ID of each kept node, by index
    for id in graph.ids where live[id.index] {
      let node = graph[id]
      let new = NodeID(result.nodes.count)
      result.nodes.append(Node(node.op, node.inputs.map { map[$0.index] }, node.type))
      map[id.index] = new
      if let label = graph.labels[id] { result.labels[new] = label }
      if let rule = graph.rules[id] { result.rules[new] = rule }
    }
    result.outputs = graph.outputs.map { GraphOutput($0.name, map[$0.node.index]) }
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

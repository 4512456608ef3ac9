/// Replaces every loop, at any depth, by its iterations written out: the body replayed once
/// per iteration on the previous iteration's carries, row `t` of each scanned value and the
/// captured values, the per-step values stacked with `concat`.
///
/// Expects a verified graph. Guarantees a graph without loops that computes the same
/// outputs, in the same order; the identity on a graph without loops. Throws
/// `GraphError.tooManyNodes` when the iterations do not fit the node limit.
///
/// The gradient check writes loops out to evaluate a graph in f64 (a body has types of its
/// own); everything else keeps loops as nodes.
public enum Unroll {
  /// `graph` with its loops unrolled.
  public static func run(_ graph: Graph) throws -> Graph {
    guard graph.nodes.contains(where: \.op.isLoop) else { return graph }
    return try mapping(graph).graph
  }

  /// `run`, with the node of the new graph that stands for each node of `graph` (a loop
  /// stands as an empty constant; its results are read through `nodes`).
  public static func mapping(_ graph: Graph) throws -> (graph: Graph, nodes: [NodeID]) {
    let b = GraphBuilder()
    var new: [NodeID] = []
    var results: [NodeID: [NodeID]] = [:]
    for id in graph.ids {
      let node = graph[id]
      let operands = node.inputs.map { new[$0.index] }
      switch node.op {
      case .input(let name): new.append(try b.input(name, node.type))
      case .param(let name):
        new.append(try b.param(name, node.type, initializer: graph.initializer(ofParam: id)))
      case .loop(let loop):
        results[id] = try iterations(loop, operands, in: b)
        new.append(b.constant(0, GraphLoop.nodeType))  // read only through its results
      case .result(let index):
        guard let values = results[node.inputs[0]], index < values.count else {
          preconditionFailure("a result of no loop:\n\(graph.context(around: id))")
        }
        new.append(values[index])
      default:
        new.append(try b.apply(node.op, operands, type: node.type))
      }
      if let label = graph.labels[id] { b.label(new[id.index], label) }
      if let rule = graph.rules[id] { b.setRule(new[id.index], rule) }
    }
    b.setOutputs(graph.outputs.map { GraphOutput($0.name, new[$0.node.index]) })
    return (b.graph, new)
  }

  /// The results of `loop` on `operands`, its iterations built into `b`.
  private static func iterations(_ loop: GraphLoop, _ operands: [NodeID], in b: GraphBuilder)
    throws -> [NodeID]
  {
    let body = try run(loop.body.graph)
    let (k, j) = (loop.carries, loop.slices)
    var carries = Array(operands[0..<k])
    let captures = Array(operands[(k + j)...])
    var stacks = [[NodeID]](repeating: [], count: loop.stacked)
    for t in 0..<loop.count {
      let rows = try operands[k..<(k + j)].map { try b.index($0, [.at(loop.row(t))]) }
      let outputs = b.inline(body, arguments: carries + rows + captures, pass: "unroll")
      carries = Array(outputs.prefix(k))
      for s in stacks.indices { stacks[s].append(outputs[k + s]) }
    }
    let types = loop.resultTypes
    let stacked = try stacks.enumerated().map { s, steps in
      let values = loop.reverse ? steps.reversed() : steps  // in row order
      let type = types[k + s]
      let rows = try values.map { try b.reshape($0, to: [1] + b.type($0).shape) }
      if rows.isEmpty { return b.constant(0, type) }
      return rows.count == 1 ? rows[0] : try b.concat(rows, axis: 0)
    }
    return carries + stacked
  }
}

extension Op {
  /// True for a loop node.
  public var isLoop: Bool {
    if case .loop = self { return true }
    return false
  }
}

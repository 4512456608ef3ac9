/// Graph-level clean-up: simplification, common subexpressions and dead code.
public enum Simplify {
  /// Rebuilds the graph through a fresh builder, which applies every peephole rule and merges
  /// identical nodes, then keeps only what the outputs need.
  ///
  /// Expects a verified graph. Guarantees the same outputs (same names and values), every
  /// input and param kept (they are the function's signature) and in the same order.
  public static func run(_ graph: Graph) -> Graph {
    let live = liveNodes(graph)
    let graph = droppingUnreadStacks(mergingLoops(graph, live: live), live: live)
    let builder = GraphBuilder()
    builder.rewrites = .all
    let replayed = builder.replay(
      graph, keeping: { live[$0.index] }, type: { graph[$0].type }, pass: "simplify")
    builder.setOutputs(graph.outputs.map { GraphOutput($0.name, replayed[$0.node]) })
    return removeDead(builder.graph)
  }

  /// `graph` with its loop bodies simplified, and each live loop that another live loop
  /// extends (same count and operands, same body nodes, the other's outputs starting with its
  /// own) made that other loop, so that replaying merges the two into one: the forward loop
  /// that reverse mode builds (which also stacks the carries) then serves the value too. A
  /// loop no output needs (a derivative's forward loop, when only the value is asked for) is
  /// no loop's stand-in.
  private static func mergingLoops(_ graph: Graph, live: [Bool]) -> Graph {
    var graph = graph
    struct Key: Hashable {
      var count: Int
      var carries: Int
      var slices: Int
      var reverse: Bool
      var inputs: [NodeID]
      var nodes: [Node]
    }
    func key(_ id: NodeID, _ loop: GraphLoop) -> Key {
      Key(
        count: loop.count, carries: loop.carries, slices: loop.slices, reverse: loop.reverse,
        inputs: graph[id].inputs, nodes: loop.body.graph.nodes)
    }
    func extends(_ a: GraphLoop, _ b: GraphLoop) -> Bool {
      a.body.graph.outputs.map(\.node).starts(with: b.body.graph.outputs.map(\.node))
    }
    var longest: [Key: GraphLoop] = [:]
    for id in graph.ids where live[id.index] {
      guard case .loop(var loop) = graph[id].op else { continue }
      loop.body = LoopBody(graph: run(loop.body.graph))  // every parameter is kept
      graph.nodes[id.index] = Node(.loop(loop), graph[id].inputs, graph[id].type)
      if let other = longest[key(id, loop)], extends(other, loop) { continue }
      longest[key(id, loop)] = loop
    }
    for id in graph.ids where live[id.index] {
      guard case .loop(let loop) = graph[id].op, let other = longest[key(id, loop)],
        other != loop, extends(other, loop)
      else { continue }
      graph.nodes[id.index] = Node(.loop(other), graph[id].inputs, graph[id].type)
    }
    return graph
  }

  /// `graph` with the per-step values of each live loop that no live node reads left out of
  /// its body, and the loop's `result` nodes renumbered: a loop whose stacked carries only a
  /// derivative reads no longer stacks them when the derivative is not asked for. Loop nodes
  /// that replaying will merge (the same loop on the same operands, as `mergingLoops` makes
  /// them) keep what any of them is read for, so they stay one loop.
  private static func droppingUnreadStacks(_ graph: Graph, live: [Bool]) -> Graph {
    var graph = graph
    var readOfNode: [Node: Set<Int>] = [:]
    for id in graph.ids where live[id.index] {
      if case .result(let i) = graph[id].op {
        readOfNode[graph[graph[id].inputs[0]], default: []].insert(i)
      }
    }
    var read: [NodeID: Set<Int>] = [:]
    for id in graph.ids where live[id.index] {
      if case .loop = graph[id].op { read[id] = readOfNode[graph[id]] ?? [] }
    }
    var renumbered: [NodeID: [Int: Int]] = [:]
    for id in graph.ids where live[id.index] {
      guard case .loop(var loop) = graph[id].op else { continue }
      let outputs = loop.body.graph.outputs
      let kept = outputs.indices.filter { $0 < loop.carries || read[id, default: []].contains($0) }
      guard kept.count < outputs.count else { continue }
      var body = loop.body.graph
      body.outputs = kept.map { outputs[$0] }
      loop.body = LoopBody(graph: removeDead(body))
      graph.nodes[id.index] = Node(.loop(loop), graph[id].inputs, graph[id].type)
      renumbered[id] = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
    }
    for id in graph.ids where live[id.index] {
      guard case .result(let i) = graph[id].op, let map = renumbered[graph[id].inputs[0]],
        let j = map[i]
      else { continue }
      graph.nodes[id.index] = Node(.result(j), graph[id].inputs, graph[id].type)
    }
    return graph
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

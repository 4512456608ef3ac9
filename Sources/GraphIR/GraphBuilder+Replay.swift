/// Rebuilding a graph through a builder: how `Simplify.run` applies the peephole rules to a
/// whole graph, and how the gradient check makes an f64 copy of a graph.
extension GraphBuilder {
  /// Adds the nodes of `graph` that `keep` selects to this builder again, in order: an input
  /// or param is declared under its name (a param with its initialiser), any other node goes
  /// through `apply` on the rebuilt operands, so this builder's peephole rules and
  /// deduplication see it. Each node gets the type `type` gives it and keeps its label and
  /// rule. A node in `substitutes` is not rebuilt: the given node of this builder stands for
  /// it.
  ///
  /// Expects a verified `graph` whose kept nodes' operands are kept (or substituted).
  /// Guarantees the rebuilt graph computes what `graph` does; a verified node always
  /// rebuilds, so a failure stops with the graph around the node (`pass` names the caller).
  public func replay(
    _ graph: Graph, keeping keep: (NodeID) -> Bool, type: (NodeID) -> TensorType,
    substitutes: [NodeID: NodeID] = [:], pass: String
  ) -> Replayed {
    var replayed = Replayed(graph: graph, nodes: Array(repeating: nil, count: graph.nodes.count))
    for (old, new) in substitutes { replayed.nodes[old.index] = new }
    for id in graph.ids where keep(id) && (substitutes.isEmpty || substitutes[id] == nil) {
      let node = graph[id]
      let new: NodeID
      do {
        switch node.op {
        case .input(let name): new = try input(name, type(id))
        case .param(let name):
          new = try param(name, type(id), initializer: graph.initializer(ofParam: id))
        default: new = try apply(node.op, node.inputs.map { replayed[$0] }, type: type(id))
        }
      } catch {
        preconditionFailure(
          "\(pass): rebuilding a verified node failed: \(error)\n\(graph.context(around: id))")
      }
      replayed.nodes[id.index] = new
      if let label = graph.labels[id] { self.label(new, label) }
      if let rule = graph.rules[id] { setRule(new, rule) }
    }
    return replayed
  }
}

/// Where `GraphBuilder.replay` put each node of the graph it replayed.
public struct Replayed {
  /// The graph that was replayed.
  let graph: Graph
  /// The new node of each old node, by index; nil for a node not replayed.
  var nodes: [NodeID?]

  /// The new node of `id`. Precondition: `id` was replayed (or substituted).
  public subscript(id: NodeID) -> NodeID {
    guard let new = nodes[id.index] else {
      preconditionFailure("\(id) was not replayed:\n\(graph.context(around: id))")
    }
    return new
  }
}

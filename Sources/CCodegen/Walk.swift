import GraphIR

/// What one root's inlined expression touches: the buffers it reads, the expensive nodes it
/// recomputes, and whether its accesses are all the loop's own offset.
///
/// Walks from the root through every node without a buffer, stopping at buffers and constants.
struct Walk {
  /// Buffers read at some other element than the loop's own: their writer must run first.
  var reads = Set<Int>()
  /// Buffers of elementwise nodes read at exactly the loop's own element. The reader may
  /// share its writer's kernel, where the value is simply computed in the same iteration.
  var fusibleReads = Set<Int>()
  var inlinedExpensive = Set<NodeID>()
  /// Expensive nodes reached through a broadcast that enlarges them: recomputed per copy.
  var expandedExpensive = Set<NodeID>()
  var isFlat = true

  private struct Visit: Hashable {
    var node: NodeID
    /// Read through a broadcast that enlarges it.
    var expanded: Bool
    /// Read at the loop's own element (only elementwise ops on the way from the root).
    var identity: Bool
  }

  /// With `shiftedSum`, the root is written as that sum by the loop over its operands' index
  /// space, each operand read at the loop's own element.
  init(_ graph: Graph, _ bufferOf: [NodeID: Int], _ root: Root, shiftedSum: ShiftedSum? = nil) {
    let node = graph[root.node]
    var stack: [Visit] = []
    if let sum = shiftedSum {
      stack = sum.terms.map { Visit(node: $0.node, expanded: false, identity: true) }
      isFlat = false  // its stores are shifted
    } else if root.store == .copy {
      stack = [Visit(node: root.node, expanded: false, identity: true)]
    } else {
      let expands = Self.expands(graph, root.node)
      let identity = node.op.isElementwise || node.op.facts.reductionAxes != nil
      stack = node.inputs.map { Visit(node: $0, expanded: expands, identity: identity) }
      isFlat = node.op.facts.keepsOffset
      if let axes = node.op.facts.reductionAxes, axes.count < graph[node.inputs[0]].type.rank {
        isFlat = false
      }
    }
    var visited = Set<Visit>()
    while let visit = stack.popLast() {
      guard visited.insert(visit).inserted else { continue }
      let id = visit.node
      let op = graph[id].op
      if let b = bufferOf[id] {
        if visit.identity && op.isElementwise {
          fusibleReads.insert(b)
        } else {
          reads.insert(b)
        }
        continue
      }
      if op.constantValue != nil { continue }
      if op.facts.isExpensive {
        inlinedExpensive.insert(id)
        if visit.expanded { expandedExpensive.insert(id) }
      }
      // A broadcast of a single element reads offset 0 whatever the loop's offset.
      isFlat = isFlat && (op.facts.keepsOffset || Self.broadcastsOneElement(graph, id))
      let expanded = visit.expanded || Self.expands(graph, id)
      let identity = visit.identity && op.isElementwise
      for input in graph[id].inputs {
        stack.append(Visit(node: input, expanded: expanded, identity: identity))
      }
    }
  }
  /// True for a broadcast of a one-element operand (a scalar, or all axes of size 1).
  static func broadcastsOneElement(_ graph: Graph, _ id: NodeID) -> Bool {
    guard case .broadcast = graph[id].op else { return false }
    return graph[graph[id].inputs[0]].type.count == 1
  }

  /// True for a broadcast that makes its operand bigger.
  static func expands(_ graph: Graph, _ id: NodeID) -> Bool {
    guard case .broadcast = graph[id].op else { return false }
    return graph[id].type.count > graph[graph[id].inputs[0]].type.count
  }
}

import GraphIR

/// What one root's inlined expression touches: the buffers it reads, the expensive nodes it
/// recomputes, and whether its accesses are all the loop's own offset.
///
/// Walks from the root through every node without a buffer, stopping at buffers and constants.
/// A value shared by several roots is walked once per root (each needs its own summary);
/// `Visits` makes each step a few array reads, with no hashing.
struct Walk {
  /// Scratch shared by the walks of one grouping: each node's buffer as a dense array, and
  /// which (node, flags) the current walk has visited, stamped with the walk's number so
  /// nothing needs clearing between walks.
  final class Visits {
    let buffer: [Int]
    private var stamps: [UInt32]
    private var walk: UInt32 = 0

    init(_ graph: Graph, _ bufferOf: [NodeID: Int]) {
      var buffer = [Int](repeating: -1, count: graph.nodes.count)
      for (id, b) in bufferOf { buffer[id.index] = b }
      self.buffer = buffer
      stamps = [UInt32](repeating: 0, count: graph.nodes.count * 4)
    }

    /// Starts a walk.
    func start() { walk += 1 }

    /// True the first time the current walk reaches `visit`.
    func first(_ visit: Visit) -> Bool {
      let slot = visit.node.index * 4 + (visit.expanded ? 2 : 0) + (visit.identity ? 1 : 0)
      if stamps[slot] == walk { return false }
      stamps[slot] = walk
      return true
    }
  }

  /// Buffers read at some other element than the loop's own: their writer must run first.
  var reads = Set<Int>()
  /// Buffers of elementwise nodes read at exactly the loop's own element. The reader may
  /// share its writer's kernel, where the value is simply computed in the same iteration.
  var fusibleReads = Set<Int>()
  var inlinedExpensive = Set<NodeID>()
  /// `take`s read through without a buffer: their check kernels must run first.
  var views = Set<NodeID>()
  /// Expensive nodes reached through a broadcast that enlarges them: recomputed per copy.
  var expandedExpensive = Set<NodeID>()
  var isFlat = true

  struct Visit: Hashable {
    var node: NodeID
    /// Read through a broadcast that enlarges it.
    var expanded: Bool
    /// Read at the loop's own element (only elementwise ops on the way from the root).
    var identity: Bool
  }

  /// With `shiftedSum`, the root is written as that sum by the loop over its operands' index
  /// space, each operand read at the loop's own element.
  init(_ graph: Graph, _ visits: Visits, _ root: Root, shiftedSum: ShiftedSum? = nil) {
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
    visits.start()
    while let visit = stack.popLast() {
      guard visits.first(visit) else { continue }
      let id = visit.node
      let op = graph[id].op
      let b = visits.buffer[id.index]
      if b >= 0 {
        if visit.identity && op.isElementwise {
          fusibleReads.insert(b)
        } else {
          reads.insert(b)
        }
        continue
      }
      if op.constantValue != nil { continue }
      if case .take = op { views.insert(id) }
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

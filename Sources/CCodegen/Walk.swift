import GraphIR

/// What one root's inlined expression touches: the buffers it reads, the expensive nodes it
/// recomputes, and whether its accesses are all the loop's own offset.
///
/// Walks from the root through every node without a buffer, stopping at buffers and constants.
struct Walk {
  var reads = Set<Int>()
  var inlinedExpensive = Set<NodeID>()
  /// Expensive nodes reached through a broadcast that enlarges them: recomputed per copy.
  var expandedExpensive = Set<NodeID>()
  var isFlat = true

  init(_ graph: Graph, _ bufferOf: [NodeID: Int], _ root: Root) {
    let node = graph[root.node]
    var stack: [(NodeID, Bool)] = []
    if root.isCopy {
      stack = [(root.node, false)]
    } else {
      let expands = Self.expands(graph, root.node)
      stack = node.inputs.map { ($0, expands) }
      isFlat = Self.keepsOffset(node.op)
      if let axes = Schedule.reductionAxes(node.op), axes.count < graph[node.inputs[0]].type.rank {
        isFlat = false
      }
    }
    var visited = Set<[Int]>()
    while let (id, expanded) = stack.popLast() {
      guard visited.insert([id.index, expanded ? 1 : 0]).inserted else { continue }
      if let b = bufferOf[id] {
        reads.insert(b)
        continue
      }
      let op = graph[id].op
      if op.constantValue != nil { continue }
      if Self.isExpensive(op) {
        inlinedExpensive.insert(id)
        if expanded { expandedExpensive.insert(id) }
      }
      isFlat = isFlat && Self.keepsOffset(op)
      let childExpanded = expanded || Self.expands(graph, id)
      for input in graph[id].inputs { stack.append((input, childExpanded)) }
    }
  }

  /// True for a broadcast that makes its operand bigger.
  static func expands(_ graph: Graph, _ id: NodeID) -> Bool {
    guard case .broadcast = graph[id].op else { return false }
    return graph[id].type.count > graph[graph[id].inputs[0]].type.count
  }

  /// True when the op reads its operands at the element offset it computes.
  static func keepsOffset(_ op: Op) -> Bool {
    switch op {
    case .broadcast, .transpose, .slice, .pad, .concat: false
    case .input, .param, .constant, .neg, .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs,
      .add, .sub, .mul, .div, .pow, .maximum, .minimum, .less, .lessEqual, .greater,
      .greaterEqual, .equal, .notEqual, .select, .cast, .reshape, .sum, .reduceMax, .matmul:
      true
    }
  }

  /// Ops worth a buffer rather than a second evaluation: calls into libm.
  static func isExpensive(_ op: Op) -> Bool {
    switch op {
    case .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .pow: true
    case .input, .param, .constant, .neg, .abs, .add, .sub, .mul, .div, .maximum, .minimum,
      .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual, .select, .cast, .broadcast,
      .reshape, .transpose, .slice, .pad, .concat, .sum, .reduceMax, .matmul:
      false
    }
  }
}

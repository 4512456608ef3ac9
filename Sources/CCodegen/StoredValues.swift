import GraphIR

/// The first lowering pass: which values must live in memory (get a buffer) whatever the
/// fusion does, and the patterns stored specially (shifted sums, biased products).
///
/// Expects a verified, simplified graph. Guarantees that `nodes` holds every input, param,
/// output (unless constant), reduction, running sum and its operand (unless constant), matrix product (or, for a `BiasedMatmul`, its add
/// and bias instead of the bare product), matrix-product operand (the source of a transposed
/// one), the operands of `take`, `scatterAdd` with both operands, pad and concat operand that is not a constant (except the pads' operands of a stored
/// `ShiftedSum`, which the sum's loop computes in place), `windowSum` (or its only user
/// when that is a slice) and the source of its operand through reshapes and transposes, and
/// every value used more than once whose inline expression is longer than `recomputeLimit` nodes and whose users lie in
/// kernels of different stages (`sharedLongExpressions`). Linear in the number of nodes.
public struct StoredValues: Sendable {
  /// The nodes that get buffers.
  public var nodes: Set<NodeID>
  /// Shifted sums, by add node (each stored by the loop over its operands).
  public var shiftedSums: [NodeID: ShiftedSum]
  /// Biased products, by add node.
  public var biasedMatmuls: [NodeID: BiasedMatmul]

  /// Finds the stored values of `graph`.
  public static func find(_ graph: Graph) -> StoredValues {
    let sums = ShiftedSum.find(graph)
    let biased = BiasedMatmul.find(graph)
    var nodes = requiredBuffers(graph, sums, biased)
    nodes.formUnion(sharedLongExpressions(graph, nodes))
    return StoredValues(nodes: nodes, shiftedSums: sums, biasedMatmuls: biased)
  }

  /// The most nodes a kernel may recompute inline for a value that another kernel also
  /// computes inline; a value whose expression is longer gets a buffer instead. Small enough
  /// that no kernel repeats a long chain (an unrolled recurrence would otherwise recompute
  /// its whole history in every step's kernel, making the C quadratic in the steps), large
  /// enough that cheap shared subexpressions still fuse.
  static let recomputeLimit = 16

  /// Values used more than once whose inline expression would compute more than
  /// `recomputeLimit` nodes, and whose users lie in kernels of different stages: they get
  /// buffers, so that no value's long expression is computed again in another kernel (users
  /// in one loop compute it once anyway). One pass, operands first, counting each value's
  /// expression up to the nearest buffers (shared parts counted per use, capped).
  ///
  /// This is what keeps the C linear in the length of a chain: in an unrolled recurrence
  /// (an LSTM's cell state, an integrator's state) each step's value feeds the next step and
  /// that step's own outputs; inlined, each step's kernel would recompute the whole history.
  static func sharedLongExpressions(_ graph: Graph, _ materialised: Set<NodeID>) -> Set<NodeID> {
    let n = graph.nodes.count
    let uses = graph.useCounts()
    var isStored = [Bool](repeating: false, count: n)
    for id in materialised { isStored[id.index] = true }
    // A node's stage: how many stored results (products, reductions, ...) lie on its longest
    // path from the inputs; kernels run in stage order. A value is inlined into the stored
    // results (roots) that use it; when those lie at different stages, they are in different
    // kernels, each of which would compute it again. Roots all at one stage may share a loop,
    // where it is computed once.
    var stage = [Int](repeating: 0, count: n)
    for (k, node) in graph.nodes.enumerated() {
      var highest = 0
      for input in node.inputs {
        let i = input.index
        let counts = isStored[i] && !graph.nodes[i].op.isLeafInput
        highest = max(highest, stage[i] + (counts ? 1 : 0))
      }
      stage[k] = highest
    }
    var earliest = [Int](repeating: Int.max, count: n)
    var latest = [Int](repeating: Int.min, count: n)
    for k in stride(from: n - 1, through: 0, by: -1) {
      let (low, high) = isStored[k] ? (stage[k], stage[k]) : (earliest[k], latest[k])
      guard low <= high else { continue }  // no root uses it
      for input in graph.nodes[k].inputs {
        earliest[input.index] = min(earliest[input.index], low)
        latest[input.index] = max(latest[input.index], high)
      }
    }
    var shared = Set<NodeID>()
    var length = [Int](repeating: 0, count: n)
    for id in graph.ids where !isStored[id.index] && graph[id].op.constantValue == nil {
      let own = graph[id].op.facts.isIndexOnly ? 0 : 1
      let total = min(graph[id].inputs.reduce(own) { $0 + length[$1.index] }, recomputeLimit + 1)
      let spansKernels = earliest[id.index] < latest[id.index]
      guard uses[id.index] > 1 && total > recomputeLimit && spansKernels else {
        length[id.index] = total
        continue
      }
      // An index-only op (broadcast, slice, ...) shares its operand's expression: store that.
      var stored = id
      while graph[stored].op.facts.isIndexOnly, let operand = graph[stored].inputs.first,
        !isStored[operand.index]
      {
        stored = operand
      }
      if graph[stored].op.isElementwise {
        shared.insert(stored)
        length[stored.index] = 0
      } else {
        length[id.index] = total
      }
    }
    return shared
  }

  /// Nodes that must live in memory whatever the fusion does. The operands of a stored
  /// shifted sum's pads are computed in the loop that writes the sum, so need no buffer; a
  /// biased product is stored only with its bias added.
  static func requiredBuffers(
    _ graph: Graph, _ sums: [NodeID: ShiftedSum], _ biased: [NodeID: BiasedMatmul]
  ) -> Set<NodeID> {
    var required = Set<NodeID>()
    for (add, b) in biased {
      required.insert(add)
      required.insert(b.bias)
    }
    let biasedProducts = Set(biased.values.map(\.product))
    for id in graph.ids {
      let node = graph[id]
      switch node.op.facts.family {
      case .argument, .reduction:
        required.insert(id)
      case .indexing, .communication:
        // A gather reads its operands' buffers at computed positions, an allreduce copies
        // its operand's buffer; constants included. A `take` itself is stored only where a
        // user needs a buffer (an output, a product's operand, ...): elsewhere the kernels
        // that use it read its operand where the index says (its kernel only checks them).
        if case .take = node.op {} else { required.insert(id) }
        required.formUnion(node.inputs)
      case .scan:
        required.insert(id)
        // A constant operand is read as a literal.
        required.formUnion(node.inputs.filter { graph[$0].op.constantValue == nil })
      case .matmul:
        if !biasedProducts.contains(id) { required.insert(id) }
        for input in node.inputs {
          // A reshaped operand shares its source's buffer (same elements, same order), so
          // the source is what a kernel writes: in its own shape, whose coordinates are
          // plain loop variables (an im2col matrix is written as [N, OH, OW, C, KH, KW]
          // without dividing the matrix's row index back into them).
          var operand = matmulOperand(graph, input).node
          required.insert(operand)
          while case .reshape = graph[operand].op,
            graph[graph[operand].inputs[0]].op.constantValue == nil
          {
            operand = graph[operand].inputs[0]
            required.insert(operand)
          }
        }
      case .loop:
        required.insert(id)
        required.formUnion(node.inputs)
      case .constant, .elementwise, .layout:
        break  // pad and concat operands: below, once shifted sums are known
      }
    }
    for output in graph.outputs where graph[output.node].op.constantValue == nil {
      required.insert(output.node)
    }
    // Consumers first, so whether a shifted sum is stored is known before its pads.
    var scattered = Set<NodeID>()
    var slicedSums = Set<NodeID>()
    let uses = graph.useCounts()
    for id in graph.ids.reversed() {
      if required.contains(id), let sum = sums[id] { scattered.formUnion(sum.pads) }
      let operands = graph[id].inputs.filter { graph[$0].op.constantValue == nil }
      // Pad and concat read their operands' buffers directly (inside their conditions),
      // through reshapes, transposes and slices (`viewSource`).
      if case .pad = graph[id].op, !scattered.contains(id) {
        required.formUnion(operands.map { viewSource(graph, $0) })
      }
      if case .concat = graph[id].op { required.formUnion(operands.map { viewSource(graph, $0) }) }
      if case .windowSum = graph[id].op {
        // Stored once (each element sums up to KH*KW reads; inlined, every kernel that uses
        // it would add them up again), or where its one use is a slice (the gradient of a
        // padded convolution keeps the interior), only that slice. Its operand is read
        // through reshapes and transposes (the kernel's reads follow them), so the
        // transposed im2col gradient of a convolution is never copied: its source is stored.
        if !slicedSums.contains(id) { required.insert(id) }
        required.formUnion(operands.map { indexOnlySource(graph, $0) })
      }
      if case .slice = graph[id].op, let sum = graph[id].inputs.first,
        case .windowSum = graph[sum].op, uses[sum.index] == 1
      {
        required.insert(id)
        slicedSums.insert(sum)
      }
    }
    return required
  }

  /// The value that `id` reads through reshapes and transposes (itself when it is neither).
  static func indexOnlySource(_ graph: Graph, _ id: NodeID) -> NodeID {
    source(graph, id, throughSlices: false)
  }

  /// The value that `id` reads through reshapes, transposes and slices (itself when it is
  /// none of them).
  static func viewSource(_ graph: Graph, _ id: NodeID) -> NodeID {
    source(graph, id, throughSlices: true)
  }

  private static func source(_ graph: Graph, _ id: NodeID, throughSlices: Bool) -> NodeID {
    var source = id
    while let operand = graph[source].inputs.first, graph[operand].op.constantValue == nil {
      switch graph[source].op {
      case .reshape, .transpose: source = operand
      case .slice where throughSlices: source = operand
      default: return source
      }
    }
    return source
  }

  /// What a matrix product reads for operand `id`: the operand itself, or for a transpose of
  /// each matrix (`transpose(s, [..., r-1, r-2])`, the leading axes in place) its source `s`,
  /// read transposed (BLAS and the loops take a transpose flag, so the transpose is never
  /// copied).
  public static func matmulOperand(_ graph: Graph, _ id: NodeID) -> (node: NodeID, transposed: Bool)
  {
    if case .transpose(let perm) = graph[id].op, perm.count >= 2,
      perm == Array(0..<perm.count - 2) + [perm.count - 1, perm.count - 2]
    {
      return (graph[id].inputs[0], true)
    }
    return (id, false)
  }
}

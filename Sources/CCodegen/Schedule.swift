import GraphIR

/// Where a materialised tensor lives while the program runs.
public enum BufferPlace: Hashable, Sendable {
  /// The caller's buffer for argument `k` (the k-th of `graph.arguments`).
  case input(Int)
  /// The caller's buffer for output `k` (the k-th of `graph.outputs`).
  case output(Int)
  /// Inside the arena, `offset` bytes from its start (a multiple of 64).
  case arena(offset: Int)
}

/// One run-time buffer: its C pointer name, its place and the tensor it holds.
public struct Buffer: Hashable, Sendable {
  /// `p12` for node 12's values, `out3` for a copy into output 3.
  public var name: String
  /// Where the buffer lives.
  public var place: BufferPlace
  /// The tensor it holds.
  public var type: TensorType
}

/// A value a kernel writes to a buffer.
public struct Root: Hashable, Sendable {
  /// The node whose value is written.
  public var node: NodeID
  /// Index into `Schedule.buffers`.
  public var buffer: Int
  /// True when the node is already stored elsewhere (or is a constant) and is only copied
  /// into an output buffer.
  public var isCopy: Bool
}

/// One fused C function: a single loop nest over `space`, or a matrix product.
public struct Kernel: Hashable, Sendable {
  /// What the kernel's C looks like.
  public enum Kind: Hashable, Sendable {
    /// Every root iterates over this index space (a reduction over its operand's shape).
    case loop(space: [Int])
    /// `roots[0]` is a matmul node, or the add of a `BiasedMatmul`.
    case matmul
  }

  /// A loop nest or a matrix product.
  public var kind: Kind
  /// The values this kernel writes, in emission order.
  public var roots: [Root]
  /// Buffers read, as sorted indices into `Schedule.buffers`.
  public var reads: [Int]
  /// True when every access is the loop's own row-major offset, so one flat loop suffices.
  public var isFlat: Bool
  /// For a big flat loop with full reductions: the number of fixed-size chunks
  /// (`Schedule.reductionChunk` iterations each) it runs in, each leaving partial results
  /// that a second step combines in chunk order. 0 when the loop is not chunked.
  public var chunks: Int = 0
  /// With `chunks`: the f64 buffer of partial results, `chunks × reductions` values.
  public var partials: Int? = nil
  /// True when an iteration writes elements of other iterations too (a shifted sum), so
  /// the iterations must run in order on one thread.
  public var scatters = false
}

/// The execution plan of a graph: which nodes get buffers, and which kernels compute them.
public struct Schedule: Sendable {
  /// Every buffer: inputs, outputs and arena tensors (indices are `gc_b` slots).
  public var buffers: [Buffer]
  /// The buffer holding each materialised node (a reshape of a buffer shares its operand's).
  public var bufferOf: [NodeID: Int]
  /// Kernels in execution order.
  public var kernels: [Kernel]
  /// Bytes of scratch memory the program needs for intermediates.
  public var arenaBytes: Int
  /// The roots written as a shifted sum by the loop over their operands' index space.
  var shiftedSums: [NodeID: ShiftedSum] = [:]
  /// Matrix products stored with their bias added, by add node.
  var biasedMatmuls: [NodeID: BiasedMatmul] = [:]

  /// Fuses a graph into kernels and plans its buffers.
  ///
  /// Expects a verified graph. Materialises inputs, params, outputs, reduction and matmul results
  /// (for a `BiasedMatmul`, its add instead of the bare product), matmul operands (the source of
  /// a transposed operand), pad/concat operands that are not constants (except those of a stored
  /// `ShiftedSum`, which its loop scatters), and expensive elementwise nodes (transcendentals,
  /// `pow`) that would otherwise be recomputed in two kernels or once per element of a broadcast,
  /// and values used more than once, by kernels at different stages, whose inline expression is
  /// longer than `recomputeLimit` nodes (`sharedLongExpressions`): a value is recomputed in a
  /// consumer only when that is cheap and bounded, so the C grows linearly with a chain of
  /// similar steps. Everything else is inlined into its consumers. Roots over the same index
  /// space share one kernel unless one reads what another writes at a different element (a value
  /// read at the loop's own element is computed once in the shared iteration, memoised).
  /// Guarantees every output is written exactly once, kernels are in dependency order, arena
  /// buffers with disjoint lifetimes share memory (`ArenaPlan`), and the same graph gives the
  /// same schedule.
  public static func make(_ graph: Graph) -> Schedule {
    let sums = ShiftedSum.find(graph)
    let biased = BiasedMatmul.find(graph)
    var materialised = requiredBuffers(graph, sums, biased)
    materialised.formUnion(sharedLongExpressions(graph, materialised))
    while true {
      let (schedule, wasteful) = plan(graph, materialised, sums, biased)
      if wasteful.isSubset(of: materialised) {
        return chunkReductions(graph, ArenaPlan.pack(schedule))
      }
      materialised.formUnion(wasteful)
    }
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
    // A node's stage: how many stored results (products, reductions, ...) lie on its longest
    // path from the inputs; kernels run in stage order. A value is inlined into the stored
    // results (roots) that use it; when those lie at different stages, they are in different
    // kernels, each of which would compute it again. Roots all at one stage may share a loop,
    // where it is computed once.
    var stage = [Int](repeating: 0, count: n)
    for id in graph.ids {
      stage[id.index] =
        graph[id].inputs.map { input in
          let stored = materialised.contains(input) && !graph[input].op.isLeafInput
          return stage[input.index] + (stored ? 1 : 0)
        }.max() ?? 0
    }
    var earliest = [Int](repeating: Int.max, count: n)
    var latest = [Int](repeating: Int.min, count: n)
    for id in graph.ids.reversed() {
      let stored = materialised.contains(id)
      let (low, high) =
        stored ? (stage[id.index], stage[id.index]) : (earliest[id.index], latest[id.index])
      guard low <= high else { continue }  // no root uses it
      for input in graph[id].inputs {
        earliest[input.index] = min(earliest[input.index], low)
        latest[input.index] = max(latest[input.index], high)
      }
    }
    var shared = Set<NodeID>()
    var length = [Int](repeating: 0, count: n)
    for id in graph.ids where !materialised.contains(id) && graph[id].op.constantValue == nil {
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
        !materialised.contains(operand)
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

  /// Iterations per chunk of a chunked full reduction. Fixed, so the summation order (and
  /// the result, to the last bit) does not depend on how many threads share the chunks.
  public static let reductionChunk = 1 << 15

  /// Splits big flat loops holding full reductions into fixed-size chunks, each with its
  /// own partial results (in f64, at the end of the arena), so threads can share them.
  static func chunkReductions(_ graph: Graph, _ schedule: Schedule) -> Schedule {
    var result = schedule
    for k in result.kernels.indices {
      let kernel = result.kernels[k]
      guard case .loop(let space) = kernel.kind, kernel.isFlat else { continue }
      let count = space.reduce(1, *)
      let reductions = kernel.roots.filter {
        !$0.isCopy && graph[$0.node].op.facts.reductionAxes != nil
      }
      guard !reductions.isEmpty, count > reductionChunk else { continue }
      let chunks = (count + reductionChunk - 1) / reductionChunk
      result.buffers.append(
        Buffer(
          name: "part\(k)", place: .arena(offset: result.arenaBytes),
          type: TensorType(.f64, [chunks * reductions.count])))
      result.arenaBytes += (chunks * reductions.count * 8 + 63) / 64 * 64
      result.kernels[k].chunks = chunks
      result.kernels[k].partials = result.buffers.count - 1
    }
    return result
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
      case .matmul:
        if !biasedProducts.contains(id) { required.insert(id) }
        required.formUnion(node.inputs.map { matmulOperand(graph, $0).node })
      case .constant, .elementwise, .layout:
        break  // pad and concat operands: below, once shifted sums are known
      }
    }
    for output in graph.outputs where graph[output.node].op.constantValue == nil {
      required.insert(output.node)
    }
    // Consumers first, so whether a shifted sum is stored is known before its pads.
    var scattered = Set<NodeID>()
    for id in graph.ids.reversed() {
      if required.contains(id), let sum = sums[id] { scattered.formUnion(sum.pads) }
      let operands = graph[id].inputs.filter { graph[$0].op.constantValue == nil }
      if case .pad = graph[id].op, !scattered.contains(id) { required.formUnion(operands) }
      if case .concat = graph[id].op { required.formUnion(operands) }
    }
    return required
  }

  /// Builds buffers, roots and kernels for one choice of materialised nodes, and returns the
  /// expensive inlined nodes this choice would compute more than once.
  static func plan(
    _ graph: Graph, _ materialised: Set<NodeID>, _ sums: [NodeID: ShiftedSum],
    _ biased: [NodeID: BiasedMatmul]
  ) -> (Schedule, Set<NodeID>) {
    var buffers: [Buffer] = []
    var bufferOf: [NodeID: Int] = [:]
    var roots: [Root] = []
    let arguments = graph.arguments
    var arenaBytes = 0

    func add(_ name: String, _ place: BufferPlace, _ type: TensorType) -> Int {
      buffers.append(Buffer(name: name, place: place, type: type))
      return buffers.count - 1
    }

    for id in graph.ids where materialised.contains(id) {
      let node = graph[id]
      let firstOutput = graph.outputs.firstIndex { $0.node == id }
      if node.op.isLeafInput {
        let k = arguments.firstIndex(of: id) ?? 0
        bufferOf[id] = add("p\(id.index)", .input(k), node.type)
      } else if let k = firstOutput {
        bufferOf[id] = add("p\(id.index)", .output(k), node.type)
        roots.append(Root(node: id, buffer: buffers.count - 1, isCopy: false))
      } else if case .reshape = node.op, let base = bufferOf[node.inputs[0]] {
        bufferOf[id] = base  // same elements in the same order: share the memory
      } else {
        bufferOf[id] = add("p\(id.index)", .arena(offset: arenaBytes), node.type)
        arenaBytes += (node.type.count * node.type.dtype.byteSize + 63) / 64 * 64
        roots.append(Root(node: id, buffer: buffers.count - 1, isCopy: false))
      }
    }
    for (k, output) in graph.outputs.enumerated() {
      if let b = bufferOf[output.node], buffers[b].place == .output(k) { continue }
      let b = add("out\(k)", .output(k), graph[output.node].type)
      roots.append(Root(node: output.node, buffer: b, isCopy: true))
    }

    var kernels: [Kernel] = []
    // Each kernel's reads while roots join it, sorted once at the end.
    var kernelReads: [Set<Int>] = []
    var producer: [Int: Int] = [:]
    var inlinedBy: [NodeID: Set<Int>] = [:]
    var wasteful = Set<NodeID>()
    for root in roots {
      let node = graph[root.node]
      let isMatmul = if case .matmul = node.op { true } else { false }
      if !root.isCopy, isMatmul || biased[root.node] != nil {
        let bias = biased[root.node].flatMap { bufferOf[$0.bias] }
        let product = biased[root.node]?.product ?? root.node
        let operands = graph[product].inputs.map { matmulOperand(graph, $0).node }
        let reads = operands.compactMap { bufferOf[$0] } + (bias.map { [$0] } ?? [])
        kernels.append(Kernel(kind: .matmul, roots: [root], reads: [], isFlat: false))
        kernelReads.append(Set(reads))
        producer[root.buffer] = kernels.count - 1
        continue
      }
      let sum = root.isCopy ? nil : sums[root.node]
      let walk = Walk(graph, bufferOf, root, shiftedSum: sum)
      // Strict reads need their writer in an earlier kernel; fusible ones allow the same.
      let last = walk.reads.compactMap { producer[$0] }.max() ?? -1
      let lastFusible = walk.fusibleReads.compactMap { producer[$0] }.max() ?? -1
      let space = Kernel.Kind.loop(space: sum?.space ?? iterationShape(graph, root))
      let reads = walk.reads.union(walk.fusibleReads)
      let k: Int
      if let found = kernels.indices.first(where: {
        $0 > last && $0 >= lastFusible && kernels[$0].kind == space
      }) {
        k = found
        kernels[k].roots.append(root)
        kernelReads[k].formUnion(reads)
        kernels[k].isFlat = kernels[k].isFlat && walk.isFlat
      } else {
        kernels.append(Kernel(kind: space, roots: [root], reads: [], isFlat: walk.isFlat))
        kernelReads.append(reads)
        k = kernels.count - 1
      }
      producer[root.buffer] = k
      if sum != nil { kernels[k].scatters = true }
      for n in walk.inlinedExpensive { inlinedBy[n, default: []].insert(k) }
      wasteful.formUnion(walk.expandedExpensive)
    }
    for (n, ks) in inlinedBy where ks.count > 1 { wasteful.insert(n) }
    for k in kernels.indices { kernels[k].reads = kernelReads[k].sorted() }
    let scattering = roots.filter { !$0.isCopy }.compactMap { root in
      sums[root.node].map { (root.node, $0) }
    }
    let schedule = Schedule(
      buffers: buffers, bufferOf: bufferOf, kernels: kernels, arenaBytes: arenaBytes,
      shiftedSums: Dictionary(uniqueKeysWithValues: scattering), biasedMatmuls: biased)
    return (schedule, wasteful)
  }

  /// The index space a root's loop runs over: a reduction's operand shape, else its own.
  static func iterationShape(_ graph: Graph, _ root: Root) -> [Int] {
    let node = graph[root.node]
    if !root.isCopy, node.op.facts.reductionAxes != nil {
      return graph[node.inputs[0]].type.shape
    }
    return node.type.shape
  }

  /// The matmul node of a `.matmul` kernel's root: the root itself, or the product inside
  /// a biased product's add.
  static func productNode(_ graph: Graph, _ id: NodeID) -> NodeID {
    let product = graph[id].inputs.first {
      if case .matmul = graph[$0].op { true } else { false }
    }
    if case .add = graph[id].op, let product { return product }
    return id
  }

  /// What a matrix product reads for operand `id`: the operand itself, or for a matrix
  /// transpose `transpose(s, [1, 0])` its source `s`, read transposed (BLAS and the loops
  /// take a transpose flag, so the transpose is never copied).
  public static func matmulOperand(_ graph: Graph, _ id: NodeID) -> (node: NodeID, transposed: Bool)
  {
    if case .transpose(let perm) = graph[id].op, perm == [1, 0] {
      return (graph[id].inputs[0], true)
    }
    return (id, false)
  }
}

import GraphIR

/// The second lowering pass: groups the stored values into kernels and gives every stored
/// value its buffer.
///
/// Expects a verified graph and its `StoredValues`. Every stored value becomes a root of one
/// kernel (an output stored elsewhere also gets a copy root); everything else is inlined into
/// the roots that use it. A root joins the first kernel over the same index space that comes
/// after every kernel writing what it reads at another element (a value read at the loop's
/// own element may be computed in the same iteration, memoised), else it starts a new kernel.
///
/// Guarantees:
/// - every output is written exactly once, and kernels are in dependency order;
/// - no work is duplicated without bound: a value is computed again inside another kernel
///   only when its inlined expression is at most `StoredValues.recomputeLimit` nodes (longer
///   shared values are stored by `StoredValues`), so the C of a chain of N similar steps grows
///   linearly in N (`UnrolledChainTests`);
/// - no expensive value (transcendental, `pow`) is computed inline by two kernels, or once per
///   element of a broadcast that enlarges it: such values are stored instead, and the
///   grouping redone (see `run`);
/// - kernels are of kind `.flat` (every root reads at the loop's own offset), `.loopNest`,
///   `.scatter` (some root is a shifted sum), `.matmul` (with `blas` off; `BLASKernels`
///   decides BLAS), `.gather`/`.scatterAdd` (one per `take`/`scatterAdd`, each with its
///   entry in `Plan.checks`, numbered in kernel order), `.cumulativeSum` (one running sum,
///   alone in its kernel) or `.allreduce` (one, alone in its kernel); arena buffers are all at offset 0 until `ArenaPlan` places them;
/// - the same graph gives the same plan. Each grouping is linear in the nodes each root's
///   expression reaches (bounded by `StoredValues.recomputeLimit` for shared values).
public enum Fusion {
  /// The plan for `graph`.
  ///
  /// Grouping can reveal expensive values that would be computed twice; storing them changes
  /// the grouping, so it is redone until no new such value appears. This terminates: each
  /// further round stores at least one node more, and there are finitely many (in practice
  /// the first or second round is the last).
  public static func run(
    _ graph: Graph, _ stored: StoredValues, lowerBody: (Graph) -> Plan
  ) -> Plan {
    var materialised = stored.nodes
    while true {
      let (plan, wasteful) = group(graph, materialised, stored, lowerBody)
      if wasteful.isSubset(of: materialised) { return plan }
      materialised.formUnion(wasteful)
    }
  }

  /// A kernel while roots join it.
  private struct Draft {
    var space: [Int]?  // nil for a matrix product, an indexing op or a running sum
    var roots: [Root]
    var reads: Set<Int>
    var scatters = false
    var loop: LoopKernel? = nil
    /// A `take` no kernel stores, whose indices this kernel only checks.
    var checks: NodeID? = nil
  }

  /// Buffers, roots and kernels for one choice of stored nodes, and the expensive inlined
  /// nodes this choice would compute more than once.
  private static func group(
    _ graph: Graph, _ materialised: Set<NodeID>, _ stored: StoredValues,
    _ lowerBody: (Graph) -> Plan
  ) -> (Plan, Set<NodeID>) {
    var buffers: [Buffer] = []
    var bufferOf: [NodeID: Int] = [:]
    var roots: [Root] = []
    let arguments = graph.arguments

    func add(_ name: String, _ place: BufferPlace, _ type: TensorType) -> Int {
      buffers.append(Buffer(name: name, place: place, type: type))
      return buffers.count - 1
    }

    for id in graph.ids where materialised.contains(id) {
      let node = graph[id]
      let firstOutput = graph.outputs.firstIndex { $0.node == id }
      if node.op.isLeafInput {
        guard let k = arguments.firstIndex(of: id) else {
          preconditionFailure("lowering: input \(id) is no argument:\n\(graph.context(around: id))")
        }
        bufferOf[id] = add("p\(id.index)", .input(k), node.type)
      } else if let k = firstOutput {
        bufferOf[id] = add("p\(id.index)", .output(k), node.type)
        roots.append(Root(node: id, buffer: buffers.count - 1, store: store(graph, id, stored)))
      } else if case .reshape = node.op, let base = bufferOf[node.inputs[0]] {
        bufferOf[id] = base  // same elements in the same order: share the memory
      } else {
        bufferOf[id] = add("p\(id.index)", .arena(offset: 0), node.type)
        roots.append(Root(node: id, buffer: buffers.count - 1, store: store(graph, id, stored)))
      }
    }
    for (k, output) in graph.outputs.enumerated() {
      if let b = bufferOf[output.node], buffers[b].place == .output(k) { continue }
      let b = add("out\(k)", .output(k), graph[output.node].type)
      roots.append(Root(node: output.node, buffer: b, store: .copy))
    }

    var drafts: [Draft] = []
    var producer: [Int: Int] = [:]
    var inlinedBy: [NodeID: Set<Int>] = [:]
    var wasteful = Set<NodeID>()
    let visits = Walk.Visits(graph, bufferOf)
    // Takes read in place, each checked by a kernel of its own before any kernel reads
    // through it: one per take, placed when the roots reach it (in node order).
    var views =
      graph.ids.filter { id in
        if case .take = graph[id].op { bufferOf[id] == nil } else { false }
      }.reversed() as [NodeID]
    var checker: [NodeID: Int] = [:]
    func check(upTo node: NodeID?) {
      while let take = views.last, node.map({ take < $0 }) ?? true {
        views.removeLast()
        let indices = graph[take].inputs[1]
        guard let b = bufferOf[indices] else {
          preconditionFailure(
            "lowering: a take's indices have no buffer:\n\(graph.context(around: take))")
        }
        drafts.append(Draft(space: nil, roots: [], reads: [b], checks: take))
        checker[take] = drafts.count - 1
      }
    }
    // The `result` nodes of each loop, by result index.
    var resultNodes: [NodeID: [Int: NodeID]] = [:]
    for id in graph.ids {
      if case .result(let index) = graph[id].op, bufferOf[id] != nil {
        resultNodes[graph[id].inputs[0], default: [:]][index] = id
      }
    }
    for var root in roots {
      check(upTo: root.store == .copy ? nil : root.node)
      if root.store == .element, case .result = graph[root.node].op { continue }  // its loop's
      if root.store == .element, case .loop(let loop) = graph[root.node].op {
        let id = root.node
        let operands = graph[id].inputs.map { operand in
          guard let b = bufferOf[operand] else {
            preconditionFailure(
              "lowering: a loop operand has no buffer:\n\(graph.context(around: id))")
          }
          return b
        }
        let types = loop.resultTypes
        let nodes = types.indices.map { resultNodes[id]?[$0] }
        let results = types.indices.map { i in
          nodes[i].flatMap { bufferOf[$0] }
            ?? add("l\(id.index)_r\(i)", .arena(offset: 0), types[i])
        }
        let alternating = ["a", "b"].flatMap { side in
          (0..<loop.carries).map { add("l\(id.index)_\(side)\($0)", .arena(offset: 0), types[$0]) }
        }
        let plan = lowerBody(loop.body.graph)
        let arena = add(
          "l\(id.index)_arena", .arena(offset: 0),
          TensorType(.f64, [max(1, (plan.arenaBytes + 7) / 8)]))
        let kernel = LoopKernel(
          node: id, count: loop.count, carries: loop.carries, slices: loop.slices,
          reverse: loop.reverse,
          body: LoopProgram(body: loop.body, plan: plan), operands: operands, results: results,
          resultNodes: nodes, alternating: alternating, arena: arena)
        drafts.append(Draft(space: nil, roots: [root], reads: Set(operands), loop: kernel))
        for b in kernel.writes + [root.buffer] { producer[b] = drafts.count - 1 }
        continue
      }
      if root.store == .element, case .cumsum = graph[root.node].op {
        let reads = Set(graph[root.node].inputs.compactMap { bufferOf[$0] })
        drafts.append(Draft(space: nil, roots: [root], reads: reads))
        producer[root.buffer] = drafts.count - 1
        continue
      }
      if root.store == .element, let product = productOf(graph, root.node, stored) {
        let operands = graph[product].inputs.map { StoredValues.matmulOperand(graph, $0).node }
        var reads = Set(operands.compactMap { bufferOf[$0] })
        if let bias = stored.biasedMatmuls[root.node]?.bias, let b = bufferOf[bias] {
          reads.insert(b)
        }
        drafts.append(Draft(space: nil, roots: [root], reads: reads))
        producer[root.buffer] = drafts.count - 1
        continue
      }
      if root.store == .element,
        [.indexing, .communication].contains(graph[root.node].op.facts.family)
      {
        let reads = Set(graph[root.node].inputs.compactMap { bufferOf[$0] })
        drafts.append(Draft(space: nil, roots: [root], reads: reads))
        producer[root.buffer] = drafts.count - 1
        continue
      }
      let sum: ShiftedSum? = if case .scatter(let s) = root.store { s } else { nil }
      let walk = Walk(graph, visits, root, shiftedSum: sum)
      root.isFlat = walk.isFlat
      // Strict reads need their writer in an earlier kernel; fusible ones allow the same.
      let last =
        (walk.reads.compactMap { producer[$0] } + walk.views.compactMap { checker[$0] })
        .max() ?? -1
      let lastFusible = walk.fusibleReads.compactMap { producer[$0] }.max() ?? -1
      let space = sum?.space ?? iterationShape(graph, root)
      let reads = walk.reads.union(walk.fusibleReads)
      let k: Int
      if let found = drafts.indices.first(where: {
        $0 > last && $0 >= lastFusible && drafts[$0].space == space
      }) {
        k = found
        drafts[k].roots.append(root)
        drafts[k].reads.formUnion(reads)
      } else {
        drafts.append(Draft(space: space, roots: [root], reads: reads))
        k = drafts.count - 1
      }
      producer[root.buffer] = k
      if sum != nil { drafts[k].scatters = true }
      for n in walk.inlinedExpensive { inlinedBy[n, default: []].insert(k) }
      wasteful.formUnion(walk.expandedExpensive)
    }
    check(upTo: nil)
    for (n, ks) in inlinedBy where ks.count > 1 { wasteful.insert(n) }
    var checks: [IndexCheck] = []
    let kernels = drafts.map { kernel(graph, $0, bufferOf, stored, &checks) }
    var plan = Plan(buffers: buffers, bufferOf: bufferOf, kernels: kernels, arenaBytes: 0)
    plan.checks = checks
    return (plan, wasteful)
  }

  /// How a stored, non-input node is written by its kernel.
  private static func store(_ graph: Graph, _ id: NodeID, _ stored: StoredValues) -> Store {
    if let sum = stored.shiftedSums[id] { return .scatter(sum) }
    let node = graph[id]
    guard let axes = node.op.facts.reductionAxes else { return .element }
    let rank = graph[node.inputs[0]].type.rank
    let first = rank - axes.count
    let isSum = if case .sum = node.op { true } else { false }
    return .reduce(
      Reduction(isSum: isSum, axes: axes, localFrom: axes == Array(first..<rank) ? first : nil))
  }

  /// The matmul node a stored value is: itself, or the product inside a biased product.
  private static func productOf(_ graph: Graph, _ id: NodeID, _ stored: StoredValues) -> NodeID? {
    if let biased = stored.biasedMatmuls[id] { return biased.product }
    if case .matmul = graph[id].op { return id }
    return nil
  }

  /// The index space a root's loop runs over: a reduction's operand shape, else its own.
  private static func iterationShape(_ graph: Graph, _ root: Root) -> [Int] {
    let node = graph[root.node]
    if case .reduce = root.store { return graph[node.inputs[0]].type.shape }
    return node.type.shape
  }

  /// The gather or scatter-add kernel of a `take` or `scatterAdd` root, with its check.
  private static func indexing(
    _ graph: Graph, _ root: Root, _ bufferOf: [NodeID: Int], _ checks: inout [IndexCheck]
  ) -> KernelKind {
    let g = gather(graph, root.node, result: root.buffer, bufferOf, &checks)
    if case .take = graph[root.node].op { return .gather(g) }
    return .scatterAdd(g)
  }

  /// The `Gather` of a `take` or `scatterAdd` node writing `result` (nil: a take's check
  /// alone), with its check appended to `checks`.
  private static func gather(
    _ graph: Graph, _ id: NodeID, result: Int?, _ bufferOf: [NodeID: Int],
    _ checks: inout [IndexCheck]
  ) -> Gather {
    let node = graph[id]
    guard let source = bufferOf[node.inputs[0]], let indices = bufferOf[node.inputs[1]] else {
      preconditionFailure(
        "lowering: an indexing operand has no buffer:\n\(graph.context(around: id))")
    }
    let indexShape = graph[node.inputs[1]].type.shape
    // The tensor indexed along `axis`: the operand of a take, the result of a scatter-add.
    let (axis, caller, indexed): (Int, IndexCaller, [Int])
    if case .take(let a, let c) = node.op {
      (axis, caller, indexed) = (a, c, graph[node.inputs[0]].type.shape)
    } else if case .scatterAdd(let a, let c) = node.op {
      (axis, caller, indexed) = (a, c, node.type.shape)
    } else {
      preconditionFailure("lowering: \(id) is no indexing op:\n\(graph.context(around: id))")
    }
    checks.append(
      IndexCheck(caller: caller, axis: axis, size: indexed[axis], indexShape: indexShape))
    return Gather(
      node: id, source: source, indices: indices, result: result,
      outer: indexed[..<axis].reduce(1, *), size: indexed[axis],
      count: indexShape.reduce(1, *), inner: indexed[(axis + 1)...].reduce(1, *),
      check: checks.count - 1)
  }

  /// The finished kernel of a draft: its kind, reads and writes.
  private static func kernel(
    _ graph: Graph, _ draft: Draft, _ bufferOf: [NodeID: Int], _ stored: StoredValues,
    _ checks: inout [IndexCheck]
  ) -> Kernel {
    let writes = Set(draft.roots.map(\.buffer))
    let reads = draft.reads.subtracting(writes).sorted()
    if let take = draft.checks {
      return Kernel(
        kind: .gather(gather(graph, take, result: nil, bufferOf, &checks)), reads: reads,
        writes: [])
    }
    guard let space = draft.space else {
      let root = draft.roots[0]
      if var loop = draft.loop {
        loop.firstCheck = checks.count
        checks += loop.body.plan.checks
        let written = Set(loop.writes).union(writes)
        return Kernel(
          kind: .loop(loop), reads: draft.reads.subtracting(written).sorted(),
          writes: written.sorted())
      }
      if graph[root.node].op.facts.family == .indexing {
        let kind = indexing(graph, root, bufferOf, &checks)
        return Kernel(kind: kind, reads: reads, writes: writes.sorted())
      }
      if case .allreduce = graph[root.node].op {
        let node = graph[root.node]
        guard let source = bufferOf[node.inputs[0]] else {
          preconditionFailure(
            "lowering: an allreduce operand has no buffer:\n\(graph.context(around: root.node))")
        }
        let sum = AllReduce(
          node: root.node, source: source, result: root.buffer, count: node.type.count,
          dtype: node.type.dtype)
        return Kernel(kind: .allreduce(sum), reads: reads, writes: writes.sorted())
      }
      if case .cumsum(let axis, let reverse) = graph[root.node].op {
        let operand = graph[root.node].inputs[0]
        let source: CumulativeSum.Source
        if let c = graph[operand].op.constantValue {
          source = .constant(c)
        } else if let b = bufferOf[operand] {
          source = .buffer(b)
        } else {
          preconditionFailure(
            "lowering: a cumsum operand has no buffer:\n\(graph.context(around: root.node))")
        }
        let shape = graph[operand].type.shape
        let scan = CumulativeSum(
          node: root.node, y: root.buffer, x: source, outer: shape[..<axis].reduce(1, *),
          length: shape[axis], inner: shape[(axis + 1)...].reduce(1, *), reverse: reverse,
          dtype: graph[root.node].type.dtype)
        return Kernel(kind: .cumulativeSum(scan), reads: reads, writes: writes.sorted())
      }
      guard let product = productOf(graph, root.node, stored) else {
        preconditionFailure(
          "lowering: no product in \(root.node):\n\(graph.context(around: root.node))")
      }
      let node = graph[product]
      let a = StoredValues.matmulOperand(graph, node.inputs[0])
      let b = StoredValues.matmulOperand(graph, node.inputs[1])
      guard let pa = bufferOf[a.node], let pb = bufferOf[b.node] else {
        preconditionFailure(
          "lowering: a matmul operand has no buffer:\n\(graph.context(around: product))")
      }
      let bias = stored.biasedMatmuls[root.node].flatMap { bufferOf[$0.bias] }
      let aShape = graph[node.inputs[0]].type.shape
      let r = aShape.count
      let matmul = MatrixProduct(
        node: root.node, a: pa, aTransposed: a.transposed, b: pb, bTransposed: b.transposed,
        c: root.buffer, bias: bias, batch: aShape.dropLast(2).reduce(1, *), n: aShape[r - 2],
        k: aShape[r - 1], m: graph[node.inputs[1]].type.shape[r - 1], dtype: node.type.dtype,
        blas: false)
      return Kernel(kind: .matmul(matmul), reads: reads, writes: writes.sorted())
    }
    let loop = Loop(space: space, roots: draft.roots)
    let kind: KernelKind =
      if draft.scatters {
        .scatter(loop)
      } else if draft.roots.allSatisfy({ $0.isFlat }) {
        .flat(loop)
      } else {
        .loopNest(loop)
      }
    return Kernel(kind: kind, reads: reads, writes: writes.sorted())
  }
}

import GraphIR

/// The loop kinds: flat loops, chunked reductions, loop nests and scatters.
extension KernelWriter {
  /// `.flat`: one loop over the elements; full reductions accumulate in locals.
  mutating func writeFlat(_ loop: Loop, _ w: inout CWriter) {
    let lines = writeBody(loop.roots, .flat("i", count: loop.space.reduce(1, *)))
    let reductions = loop.roots.filter(\.isReduction)
    for root in reductions { declareAccumulator(root, &w) }
    if loop.roots.allSatisfy({ $0.store == .element || $0.store == .copy || isLocal($0) }) {
      simdPragma(reductions, &w)
    }
    w.block("for (long long \(outerRange("i", loop.space.reduce(1, *))); i++)") { w in
      lines.forEach { w.line($0) }
    }
    for root in reductions {
      storeAccumulator(root, outputIndex: .flat(IndexExpression(0)), &w)
    }
  }

  /// `.chunkedReduction`: chunk c covers iterations [c*C, min((c+1)*C, n)) and leaves its
  /// partial results in part[c*R + r]; the combine step adds them up in chunk order.
  mutating func writeChunks(_ chunked: ChunkedLoop, _ w: inout CWriter) {
    let count = chunked.loop.space.reduce(1, *)
    let lines = writeBody(chunked.loop.roots, .flat("i", count: count))
    let reductions = chunked.loop.roots.filter(\.isReduction)
    let chunk = ReductionChunking.reductionChunk
    let part = plan.buffers[chunked.partials].name
    w.block("for (long long \(outerRange("c", chunked.chunks)); c++)") { w in
      w.line("const long long lo = c * \(chunk);")
      w.line("const long long hi = lo + \(chunk) < \(count) ? lo + \(chunk) : \(count);")
      for root in reductions { declareAccumulator(root, &w) }
      simdPragma(reductions, &w)
      w.block("for (long long i = lo; i < hi; i++)") { w in lines.forEach { w.line($0) } }
      for (r, root) in reductions.enumerated() {
        w.line("\(part)[c * \(reductions.count) + \(r)] = acc\(root.node.index);")
      }
    }
  }

  /// The combine step of a chunked reduction: folds the partial results in chunk order (a
  /// fixed order, so the result does not depend on the thread count) and stores each
  /// reduction's value.
  func writeCombine(_ chunked: ChunkedLoop, _ w: inout CWriter) {
    let reductions = chunked.loop.roots.filter(\.isReduction)
    let part = plan.buffers[chunked.partials].name
    for (r, root) in reductions.enumerated() {
      let buffer = plan.buffers[root.buffer]
      let acc = "acc\(root.node.index)"
      w.line("double \(acc) = \(part)[\(r)];")
      let step = isSum(root) ? "\(acc) += v;" : "\(acc) = gc_max(\(acc), v);"
      w.block("for (long long c = 1; c < \(chunked.chunks); c++)") { w in
        w.line("const double v = \(part)[c * \(reductions.count) + \(r)];")
        w.line(step)
      }
      w.line("\(buffer.name)[0] = (\(buffer.type.dtype.cName))\(acc);")
    }
  }

  /// `#pragma omp simd`, with `reduction(+ : acc...)` for the local sums it accumulates, for
  /// a loop whose iterations are independent apart from those sums, so an optimising
  /// compiler vectorises it without checking at run time that the buffers do not overlap
  /// (they never do: a kernel never writes a buffer it reads, see `ArenaPlan`) and may
  /// reassociate the sums. Only when the program is built with `GC_SIMD` defined, as strict
  /// compilers warn about the pragma. `accumulated` are the roots whose local accumulators
  /// the loop adds to; nothing is written for a local maximum (its order matters to which
  /// element is first maximal).
  private func simdPragma(_ accumulated: [Root], _ w: inout CWriter) {
    guard accumulated.allSatisfy(isSum) else { return }
    let names = accumulated.map { "acc\($0.node.index)" }.joined(separator: ", ")
    w.line("#ifdef GC_SIMD")
    w.line("#pragma omp simd" + (names.isEmpty ? "" : " reduction(+ : \(names))"))
    w.line("#endif")
  }

  /// Whether the loop over `axis`, the innermost the nest writes, may run as SIMD lanes: no
  /// root scatters (shifted sums may add to one element from neighbouring iterations), and no
  /// reduction accumulating in its buffer reduces over `axis` (every iteration would add to
  /// the same element).
  private func lanesIndependent(_ roots: [Root], axis: Int) -> Bool {
    roots.allSatisfy { root in
      switch root.store {
      case .element, .copy: true
      case .scatter: false
      case .reduce(let reduction): reduction.localFrom != nil || !reduction.axes.contains(axis)
      }
    }
  }

  /// `.loopNest`: loops `i0 ... i{r-1}` over the space. A reduction over a suffix of the
  /// axes keeps a local accumulator declared just outside its axes; any other reduction
  /// accumulates into its buffer, which is initialised first.
  mutating func writeLoopNest(_ loop: Loop, _ w: inout CWriter) {
    let rank = loop.space.count
    let nest = IndexMapping.nest("i", loop.space)
    let coordinates = nest.coordinates(in: loop.space)
    loopDepth = Dictionary(uniqueKeysWithValues: (0..<rank).map { ("i\($0)", $0) })
    innermostDepth = max(rank - 1, 0)
    for root in loop.roots {
      guard case .reduce(let reduction) = root.store, reduction.localFrom == nil else { continue }
      let buffer = plan.buffers[root.buffer]
      let initial = reductionInitial(root, buffer.type.dtype)
      w.line("for (long long j = 0; j < \(buffer.type.count); j++) \(buffer.name)[j] = \(initial);")
    }
    let lines = writeBody(loop.roots, nest)
    func level(_ d: Int, _ w: inout CWriter) {
      let starting = loop.roots.filter {
        if case .reduce(let reduction) = $0.store { reduction.localFrom == d } else { false }
      }
      for root in starting { declareAccumulator(root, &w) }
      if d > 0 { hoisted[d - 1, default: []].forEach { w.line($0) } }
      if d == rank {
        lines.forEach { w.line($0) }
      } else if d > 0, loop.space[d] == 1 {
        level(d + 1, &w)  // its coordinate is 0 (see `IndexMapping.nest`)
      } else {
        let range = d == 0 ? outerRange("i0", loop.space[0]) : "i\(d) = 0; i\(d) < \(loop.space[d])"
        if loop.space[(d + 1)...].allSatisfy({ $0 == 1 }), lanesIndependent(loop.roots, axis: d) {
          // The accumulators declared outside this loop (those of trailing axes of size 1
          // are declared inside it).
          simdPragma(loop.roots.filter { isLocal($0, from: ...d) }, &w)
        }
        w.block("for (long long \(range); i\(d)++)") { w in level(d + 1, &w) }
      }
      for root in starting {
        storeAccumulator(root, outputIndex: .multi(Array(coordinates.prefix(d))), &w)
      }
    }
    level(0, &w)
  }

  /// `.scatter`: the elements no first term stores are zeroed, then the loop nest over the
  /// operands' space scatters each shifted sum into place.
  mutating func writeScatter(_ loop: Loop, _ w: inout CWriter) {
    writeShiftedSumZeros(loop, &w)
    writeLoopNest(loop, &w)
  }

  /// True for a reduction kept in a local accumulator (declared at a level in `levels`).
  private func isLocal(_ root: Root, from levels: PartialRangeThrough<Int> = ...Int.max) -> Bool {
    if case .reduce(let reduction) = root.store, let from = reduction.localFrom {
      return levels.contains(from)
    }
    return false
  }

  func isSum(_ root: Root) -> Bool {
    if case .reduce(let reduction) = root.store { return reduction.isSum }
    return false
  }

  private func reductionInitial(_ root: Root, _ dtype: DType) -> String {
    isSum(root) ? CLiteral.number(0, dtype) : CLiteral.number(-.infinity, dtype)
  }

  /// Sums accumulate in double whatever the float dtype (f32 sums of many terms lose digits
  /// fast), integer sums in long long; maxima are exact in their own dtype.
  private func declareAccumulator(_ root: Root, _ w: inout CWriter) {
    let dtype = graph[root.node].type.dtype
    let accType: DType = isSum(root) ? dtype.accumulator : dtype
    w.line("\(accType.cName) acc\(root.node.index) = \(reductionInitial(root, accType));")
  }

  private func storeAccumulator(_ root: Root, outputIndex: IndexMapping, _ w: inout CWriter) {
    let buffer = plan.buffers[root.buffer]
    let offset = outputIndex.offset(in: buffer.type.shape)
    let dtype = buffer.type.dtype
    let cast = isSum(root) && dtype != dtype.accumulator ? "(\(dtype.cName))" : ""
    w.line("\(buffer.name)[\(offset.text)] = \(cast)acc\(root.node.index);")
  }

  /// The statements of the loop body: every root computed and stored at `index`. Runs the
  /// roots twice, first counting uses (see the type's comment), then writing.
  private mutating func writeBody(_ roots: [Root], _ index: IndexMapping) -> [String] {
    uses = nil
    counted = [:]
    offsetUses = [:]
    for pass in 0..<2 {
      body = []
      memo = [:]
      localCount = [:]
      inlinedNotes = [:]
      inlineDepth = [:]
      offsetNames = [:]
      hoisted = [:]
      if pass == 1 { uses = counted }
      for root in roots { emitRoot(root, index) }
    }
    return body
  }

  /// Appends the statements computing and storing one root at `index` to the loop body.
  private mutating func emitRoot(_ root: Root, _ index: IndexMapping) {
    let node = graph[root.node]
    let buffer = plan.buffers[root.buffer]
    let key = MemoKey(node: root.node, index: index)
    switch root.store {
    case .scatter(let sum):
      writeShiftedSum(sum, buffer, index)
    case .copy:
      let v = value(root.node, index)
      let cell = "\(buffer.name)[\(address(index.offset(in: node.type.shape)))]"
      store("\(cell) = \(v);", notes(key))
    case .element:
      let v = definition(root.node, index)
      let cell = "\(buffer.name)[\(address(index.offset(in: node.type.shape)))]"
      store("\(cell) = \(v);", notes(key))
    case .reduce(let reduction):
      let operandShape = graph[node.inputs[0]].type.shape
      let v = value(node.inputs[0], index)
      let operandNotes = notes(MemoKey(node: node.inputs[0], index: index))
      let f = node.type.dtype == .f32 ? "f" : ""
      let target: String
      if reduction.localFrom != nil {
        target = "acc\(root.node.index)"
      } else {
        let cs = index.coordinates(in: operandShape)
        let kept = operandShape.indices.filter { !reduction.axes.contains($0) }.map { cs[$0] }
        target = "\(buffer.name)[\(address(IndexMapping.multi(kept).offset(in: node.type.shape)))]"
      }
      if reduction.isSum {
        store("\(target) += \(v);", operandNotes)
      } else {
        // `gc_max` written out (NaN propagates, as there): TinyCC calls an inline function
        // rather than inlining it, once per element of the reduced operand.
        let m = "m\(root.node.index)"
        store("const \(node.type.dtype.cName) \(m) = \(v);", operandNotes)
        store(
          "\(target) = (\(target) != \(target) || \(m) != \(m)) ? \(target) + \(m) : "
            + "(\(target) > \(m) ? \(target) : \(m));", [])
      }
    }
  }
}

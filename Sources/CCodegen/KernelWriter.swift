import GraphIR

/// Writes one kernel of a schedule as a C function `static void gc_k<N>(pointers...)`.
///
/// Inside a loop nest a value used more than once per iteration becomes a `const` local named
/// after its node (`t12`, then `t12_1` for a second index mapping of the same node); the pair
/// (node, index mapping) is memoised, so a subexpression shared by several roots is computed
/// once per iteration. A value used once is written parenthesised into its consumer's
/// expression instead: TinyCC keeps the values of one expression in registers but stores
/// every local to the stack and loads it back, so this alone makes its loops about 1.5x
/// faster (W2: 12.8 -> 8.1 us per call). The body is therefore written twice: the first
/// pass only counts the uses of each (node, index mapping).
struct KernelWriter {
  let graph: Graph
  let schedule: Schedule
  let annotate: Bool
  /// Matrix products call CBLAS instead of looping.
  let blas: Bool

  /// Statements of the innermost loop body being written.
  var body: [String] = []
  /// Expressions already available in this kernel, by (node, index mapping).
  var memo: [MemoKey: String] = [:]
  var localCount: [NodeID: Int] = [:]
  /// Elementwise nodes this kernel writes: read here, they are computed, not loaded.
  var computedHere = Set<NodeID>()
  /// Uses per iteration of each (node, index mapping), counted by a first pass over the body;
  /// nil during that pass (when every value gets a local).
  var uses: [MemoKey: Int]? = nil
  /// In the counting pass, the uses seen so far.
  var counted: [MemoKey: Int] = [:]
  /// With `annotate`: for an inlined value, the notes of the nodes its expression holds.
  var inlinedNotes: [MemoKey: [String]] = [:]
  /// For an inlined value, how deeply parenthesised expressions nest in it.
  var inlineDepth: [MemoKey: Int] = [:]
  /// Column sums of this kernel computed by BLAS after its loop nest, not inside it.
  var blasColumnSums = Set<NodeID>()

  struct MemoKey: Hashable {
    var node: NodeID
    var index: IndexMapping
  }

  init(graph: Graph, schedule: Schedule, annotate: Bool, blas: Bool) {
    self.graph = graph
    self.schedule = schedule
    self.annotate = annotate
    self.blas = blas
  }

  /// The C function for kernel number `k`.
  mutating func write(_ k: Int, into w: inout CWriter) {
    let kernel = schedule.kernels[k]
    computedHere = Set(
      kernel.roots.filter {
        !$0.isCopy && graph[$0.node].op.isElementwise && schedule.shiftedSums[$0.node] == nil
      }.map(\.node))
    let split = Parallelism.splittableExtent(graph, kernel) != nil
    w.block("static void gc_k\(k)(void* const* gc_b, long long gc_lo, long long gc_hi)") { w in
      if annotate {
        for root in kernel.roots {
          let what = root.isCopy ? "copy of" : "computes"
          let line = CLiteral.comment(graph.line(root.node), limit: 100)
          w.line("/* \(schedule.buffers[root.buffer].name) \(what) \(line) */")
        }
      }
      // The body first, so only what it names is declared: a chunked kernel leaves its
      // reductions' results to its combine step, a product with an empty dimension reads
      // nothing (or does nothing), and strict compilers reject unused locals and parameters.
      var body = w.detached()
      switch kernel.kind {
      case .matmul: writeMatmul(kernel.roots[0], &body)
      case .loop(let space):
        if let operands = axpyOperands(kernel) {
          writeAxpy(kernel, operands, split: split, &body)
        } else if kernel.isFlat {
          writeFlatLoop(kernel, count: space.reduce(1, *), split: split, &body)
        } else {
          writeLoopNest(kernel, space: space, split: split, &body)
        }
      }
      let named = CIdentifiers.names(in: body.text)
      let declarations = pointerDeclarations(kernel, named: named)
      for line in declarations { w.line(line) }
      let used = declarations.isEmpty ? named : named.union(["gc_b"])
      for parameter in ["gc_b", "gc_lo", "gc_hi"] where !used.contains(parameter) {
        w.line("(void)\(parameter);")
      }
      w.raw(body.text)
    }
  }

  /// Typed names for the buffers of the kernel that its body names, taken from the table
  /// `gc_b`: writable if the kernel writes them, in buffer order.
  func pointerDeclarations(_ kernel: Kernel, named: Set<String>) -> [String] {
    let written = Set(kernel.roots.map(\.buffer) + (kernel.partials.map { [$0] } ?? []))
    return written.union(kernel.reads).sorted().compactMap { b in
      let buffer = schedule.buffers[b]
      guard named.contains(buffer.name) else { return nil }
      let t = (written.contains(b) ? "" : "const ") + buffer.type.dtype.cName
      return "\(t)* \(buffer.name) = (\(t)*)gc_b[\(b)];"
    }
  }

  // MARK: Loops

  private mutating func writeFlatLoop(
    _ kernel: Kernel, count: Int, split: Bool, _ w: inout CWriter
  ) {
    let lines = writeBody(kernel, .flat("i"))
    let reductions = kernel.roots.filter(isReduction)
    if kernel.chunks > 0, let partials = kernel.partials {
      // Chunk c covers iterations [c*C, min((c+1)*C, n)) and leaves its partial results in
      // part[c*R + r]; gc_k<N>_combine adds them up in chunk order.
      let chunk = Schedule.reductionChunk
      let part = schedule.buffers[partials].name
      w.block("for (long long c = gc_lo; c < gc_hi; c++)") { w in
        w.line("const long long lo = c * \(chunk);")
        w.line("const long long hi = lo + \(chunk) < \(count) ? lo + \(chunk) : \(count);")
        for root in reductions { declareAccumulator(root, &w) }
        simdPragma(reductions, &w)
        w.block("for (long long i = lo; i < hi; i++)") { w in lines.forEach { w.line($0) } }
        for (r, root) in reductions.enumerated() {
          w.line("\(part)[c * \(reductions.count) + \(r)] = acc\(root.node.index);")
        }
      }
      return
    }
    for root in reductions { declareAccumulator(root, &w) }
    simdPragma(reductions, &w)
    let range = split ? "i = gc_lo; i < gc_hi" : "i = 0; i < \(count)"
    w.block("for (long long \(range); i++)") { w in lines.forEach { w.line($0) } }
    for root in reductions {
      storeAccumulator(root, outputIndex: .flat("0"), &w)
    }
  }

  /// `#pragma omp simd reduction(+ : acc...)` for a flat loop whose reductions are all sums,
  /// so an optimising compiler may vectorise it (reassociating the sum); only when the
  /// program is built with `GC_SIMD` defined, as strict compilers warn about the pragma.
  private func simdPragma(_ reductions: [Root], _ w: inout CWriter) {
    guard !reductions.isEmpty, reductions.allSatisfy(isSum) else { return }
    let names = reductions.map { "acc\($0.node.index)" }.joined(separator: ", ")
    w.line("#ifdef GC_SIMD")
    w.line("#pragma omp simd reduction(+ : \(names))")
    w.line("#endif")
  }

  /// For a chunked kernel: `gc_k<N>_combine`, which folds the partial results in chunk
  /// order (a fixed order, so the result does not depend on the thread count) and stores
  /// each reduction's value.
  func writeCombine(_ k: Int, into w: inout CWriter) {
    let kernel = schedule.kernels[k]
    guard kernel.chunks > 0, let partials = kernel.partials else { return }
    let reductions = kernel.roots.filter(isReduction)
    w.block("static void gc_k\(k)_combine(void* const* gc_b)") { w in
      let part = schedule.buffers[partials].name
      w.line("const double* \(part) = (const double*)gc_b[\(partials)];")
      for (r, root) in reductions.enumerated() {
        let buffer = schedule.buffers[root.buffer]
        let t = buffer.type.dtype.cName
        w.line("\(t)* \(buffer.name) = (\(t)*)gc_b[\(root.buffer)];")
        let acc = "acc\(root.node.index)"
        w.line("double \(acc) = \(part)[\(r)];")
        let step = isSum(root) ? "\(acc) += v;" : "\(acc) = gc_max(\(acc), v);"
        w.block("for (long long c = 1; c < \(kernel.chunks); c++)") { w in
          w.line("const double v = \(part)[c * \(reductions.count) + \(r)];")
          w.line(step)
        }
        w.line("\(buffer.name)[0] = (\(t))\(acc);")
      }
    }
  }

  /// Loops `i0 ... i{r-1}` over `space`. A reduction over a suffix of the axes keeps a
  /// local accumulator declared just outside its axes; any other reduction accumulates into
  /// its buffer, which is initialised first.
  private mutating func writeLoopNest(
    _ kernel: Kernel, space: [Int], split: Bool, _ w: inout CWriter
  ) {
    let rank = space.count
    let coordinates = (0..<rank).map { "i\($0)" }
    blasColumnSums = Set(
      kernel.roots.filter { columnSumOperand($0, in: kernel) != nil }.map(\.node))
    defer { blasColumnSums = [] }
    for root in kernel.roots where isReduction(root) && suffixStart(root) == nil {
      if blasColumnSums.contains(root.node) { continue }
      let buffer = schedule.buffers[root.buffer]
      let initial = reductionInitial(root, buffer.type.dtype)
      w.line("for (long long j = 0; j < \(buffer.type.count); j++) \(buffer.name)[j] = \(initial);")
    }
    writeShiftedSumZeros(kernel, &w)
    let lines = writeBody(kernel, .multi(coordinates))
    func level(_ d: Int, _ w: inout CWriter) {
      let starting = kernel.roots.filter { isReduction($0) && suffixStart($0) == d }
      for root in starting { declareAccumulator(root, &w) }
      if d == rank {
        lines.forEach { w.line($0) }
      } else {
        let range = d == 0 && split ? "i0 = gc_lo; i0 < gc_hi" : "i\(d) = 0; i\(d) < \(space[d])"
        w.block("for (long long \(range); i\(d)++)") { w in level(d + 1, &w) }
      }
      for root in starting {
        storeAccumulator(root, outputIndex: .multi(Array(coordinates.prefix(d))), &w)
      }
    }
    level(0, &w)
    writeColumnSums(kernel, &w)
  }

  private func isReduction(_ root: Root) -> Bool {
    !root.isCopy && graph[root.node].op.facts.reductionAxes != nil
  }

  /// For a reduction over the trailing axes `k ..< rank`, the first reduced axis `k`.
  private func suffixStart(_ root: Root) -> Int? {
    guard let axes = graph[root.node].op.facts.reductionAxes else { return nil }
    let rank = graph[graph[root.node].inputs[0]].type.rank
    let k = rank - axes.count
    return axes == Array(k..<rank) ? k : nil
  }

  private func isSum(_ root: Root) -> Bool {
    if case .sum = graph[root.node].op { return true }
    return false
  }

  private func reductionInitial(_ root: Root, _ dtype: DType) -> String {
    isSum(root) ? CLiteral.number(0, dtype) : CLiteral.number(-.infinity, dtype)
  }

  /// Sums accumulate in double whatever the dtype (f32 sums of many terms lose digits fast);
  /// maxima are exact in their own dtype.
  private func declareAccumulator(_ root: Root, _ w: inout CWriter) {
    let dtype = graph[root.node].type.dtype
    let accType: DType = isSum(root) ? .f64 : dtype
    w.line("\(accType.cName) acc\(root.node.index) = \(reductionInitial(root, accType));")
  }

  private func storeAccumulator(_ root: Root, outputIndex: IndexMapping, _ w: inout CWriter) {
    let buffer = schedule.buffers[root.buffer]
    let offset = outputIndex.offset(in: buffer.type.shape)
    let cast = isSum(root) && buffer.type.dtype == .f32 ? "(float)" : ""
    w.line("\(buffer.name)[\(offset)] = \(cast)acc\(root.node.index);")
  }

  /// The statements of the loop body: every root computed and stored at `index`. Runs the
  /// roots twice, first counting uses (see the type's comment), then writing.
  private mutating func writeBody(_ kernel: Kernel, _ index: IndexMapping) -> [String] {
    uses = nil
    counted = [:]
    for pass in 0..<2 {
      body = []
      memo = [:]
      localCount = [:]
      inlinedNotes = [:]
      inlineDepth = [:]
      if pass == 1 { uses = counted }
      for root in kernel.roots { emitRoot(root, index) }
    }
    return body
  }

  /// Appends the statements computing and storing one root at `index` to the loop body.
  private mutating func emitRoot(_ root: Root, _ index: IndexMapping) {
    let node = graph[root.node]
    let buffer = schedule.buffers[root.buffer]
    let key = MemoKey(node: root.node, index: index)
    if blasColumnSums.contains(root.node) { return }  // after the loop, by BLAS
    if !root.isCopy, let sum = schedule.shiftedSums[root.node] {
      writeShiftedSum(sum, buffer, index)
      return
    }
    if root.isCopy {
      let v = value(root.node, index)
      store("\(buffer.name)[\(index.offset(in: node.type.shape))] = \(v);", notes(key))
      return
    }
    guard let axes = node.op.facts.reductionAxes else {
      let v = definition(root.node, index)
      store("\(buffer.name)[\(index.offset(in: node.type.shape))] = \(v);", notes(key))
      return
    }
    let operandShape = graph[node.inputs[0]].type.shape
    let v = value(node.inputs[0], index)
    let operandNotes = notes(MemoKey(node: node.inputs[0], index: index))
    let f = node.type.dtype == .f32 ? "f" : ""
    let isFlat = if case .flat = index { true } else { false }
    if isFlat || suffixStart(root) != nil {
      // A flat loop only holds full reductions; a suffix reduction has its local accumulator.
      let acc = "acc\(root.node.index)"
      let line = isSum(root) ? "\(acc) += \(v);" : "\(acc) = gc_max\(f)(\(acc), \(v));"
      store(line, operandNotes)
    } else {
      let cs = index.coordinates(in: operandShape)
      let kept = operandShape.indices.filter { !axes.contains($0) }.map { cs[$0] }
      let cell = "\(buffer.name)[\(IndexMapping.multi(kept).offset(in: node.type.shape))]"
      let line = isSum(root) ? "\(cell) += \(v);" : "\(cell) = gc_max\(f)(\(cell), \(v));"
      store(line, operandNotes)
    }
  }

  /// Appends a statement that stores or accumulates a value, naming (with `annotate`) the
  /// values written inline in it.
  mutating func store(_ line: String, _ notes: [String]) {
    let comment =
      annotate && !notes.isEmpty ? " /* \(Self.inlinedComment(notes).dropFirst(2)) */" : ""
    body.append(line + comment)
  }
}

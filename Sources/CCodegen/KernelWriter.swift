import GraphIR

/// Writes one kernel of a schedule as a C function `static void gc_k<N>(pointers...)`.
///
/// Inside a loop nest every inlined value becomes a `const` local named after its node
/// (`t12`, then `t12_1` for a second index mapping of the same node); the pair (node, index
/// mapping) is memoised, so a subexpression shared by several roots is computed once per
/// iteration.
struct KernelWriter {
  let graph: Graph
  let schedule: Schedule
  let annotate: Bool

  private var body: [String] = []
  private var memo: [MemoKey: String] = [:]
  private var localCount: [NodeID: Int] = [:]

  private struct MemoKey: Hashable {
    var node: NodeID
    var index: IndexMapping
  }

  init(graph: Graph, schedule: Schedule, annotate: Bool) {
    self.graph = graph
    self.schedule = schedule
    self.annotate = annotate
  }

  /// The C function for kernel number `k`.
  mutating func write(_ k: Int, into w: inout CWriter) {
    let kernel = schedule.kernels[k]
    body = []
    memo = [:]
    localCount = [:]
    w.block("static void gc_k\(k)(\(parameters(kernel)))") { w in
      if annotate {
        for root in kernel.roots {
          let what = root.isCopy ? "copy of" : "computes"
          let line = CLiteral.comment(graph.line(root.node), limit: 100)
          w.line("/* \(schedule.buffers[root.buffer].name) \(what) \(line) */")
        }
      }
      switch kernel.kind {
      case .matmul: writeMatmul(kernel.roots[0], &w)
      case .loop(let space):
        if kernel.isFlat {
          writeFlatLoop(kernel, count: space.reduce(1, *), &w)
        } else {
          writeLoopNest(kernel, space: space, &w)
        }
      }
    }
  }

  /// The kernel's parameters: each buffer it uses, writable if it writes it, in buffer order.
  func parameters(_ kernel: Kernel) -> String {
    let written = Set(kernel.roots.map(\.buffer))
    let used = written.union(kernel.reads).sorted()
    return used.map { b in
      let buffer = schedule.buffers[b]
      let constness = written.contains(b) ? "" : "const "
      return "\(constness)\(buffer.type.dtype.cName)* \(buffer.name)"
    }.joined(separator: ", ")
  }

  // MARK: Loops

  private mutating func writeFlatLoop(_ kernel: Kernel, count: Int, _ w: inout CWriter) {
    let index = IndexMapping.flat("i")
    for root in kernel.roots where isReduction(root) { declareAccumulator(root, &w) }
    for root in kernel.roots { emitRoot(root, index) }
    let lines = body
    w.block("for (long long i = 0; i < \(count); i++)") { w in lines.forEach { w.line($0) } }
    for root in kernel.roots where isReduction(root) {
      storeAccumulator(root, outputIndex: .flat("0"), &w)
    }
  }

  /// Loops `i0 ... i{r-1}` over `space`. A reduction over a suffix of the axes keeps a
  /// local accumulator declared just outside its axes; any other reduction accumulates into
  /// its buffer, which is initialised first.
  private mutating func writeLoopNest(_ kernel: Kernel, space: [Int], _ w: inout CWriter) {
    let rank = space.count
    let coordinates = (0..<rank).map { "i\($0)" }
    for root in kernel.roots where isReduction(root) && suffixStart(root) == nil {
      let buffer = schedule.buffers[root.buffer]
      let initial = reductionInitial(root, buffer.type.dtype)
      w.line("for (long long j = 0; j < \(buffer.type.count); j++) \(buffer.name)[j] = \(initial);")
    }
    for root in kernel.roots { emitRoot(root, .multi(coordinates)) }
    let lines = body
    func level(_ d: Int, _ w: inout CWriter) {
      let starting = kernel.roots.filter { isReduction($0) && suffixStart($0) == d }
      for root in starting { declareAccumulator(root, &w) }
      if d == rank {
        lines.forEach { w.line($0) }
      } else {
        w.block("for (long long i\(d) = 0; i\(d) < \(space[d]); i\(d)++)") { w in level(d + 1, &w) }
      }
      for root in starting {
        storeAccumulator(root, outputIndex: .multi(Array(coordinates.prefix(d))), &w)
      }
    }
    level(0, &w)
  }

  private func isReduction(_ root: Root) -> Bool {
    !root.isCopy && Schedule.reductionAxes(graph[root.node].op) != nil
  }

  /// For a reduction over the trailing axes `k ..< rank`, the first reduced axis `k`.
  private func suffixStart(_ root: Root) -> Int? {
    guard let axes = Schedule.reductionAxes(graph[root.node].op) else { return nil }
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

  /// Appends the statements computing and storing one root at `index` to the loop body.
  private mutating func emitRoot(_ root: Root, _ index: IndexMapping) {
    let node = graph[root.node]
    let buffer = schedule.buffers[root.buffer]
    if root.isCopy {
      let v = value(root.node, index)
      body.append("\(buffer.name)[\(index.offset(in: node.type.shape))] = \(v);")
      return
    }
    guard let axes = Schedule.reductionAxes(node.op) else {
      let v = definition(root.node, index)
      body.append("\(buffer.name)[\(index.offset(in: node.type.shape))] = \(v);")
      return
    }
    let operandShape = graph[node.inputs[0]].type.shape
    let v = value(node.inputs[0], index)
    let f = node.type.dtype == .f32 ? "f" : ""
    if suffixStart(root) != nil, case .multi = index {
      let acc = "acc\(root.node.index)"
      body.append(isSum(root) ? "\(acc) += \(v);" : "\(acc) = gc_max\(f)(\(acc), \(v));")
    } else if case .flat = index {
      let acc = "acc\(root.node.index)"
      body.append(isSum(root) ? "\(acc) += \(v);" : "\(acc) = gc_max\(f)(\(acc), \(v));")
    } else {
      let cs = index.coordinates(in: operandShape)
      let kept = operandShape.indices.filter { !axes.contains($0) }.map { cs[$0] }
      let cell = "\(buffer.name)[\(IndexMapping.multi(kept).offset(in: node.type.shape))]"
      body.append(isSum(root) ? "\(cell) += \(v);" : "\(cell) = gc_max\(f)(\(cell), \(v));")
    }
  }

  // MARK: Values

  /// The C expression for node `id` at `index`: a literal, or a local holding the value
  /// (loaded from the node's buffer if it has one, else computed inline).
  ///
  /// Iterative (an explicit stack, operands first) so that long chains of inlined ops do not
  /// exhaust the thread's stack.
  private mutating func value(_ id: NodeID, _ index: IndexMapping) -> String {
    let key = MemoKey(node: id, index: index)
    var stack = [key]
    while let top = stack.last {
      if memo[top] != nil {
        stack.removeLast()
        continue
      }
      let node = graph[top.node]
      if let c = node.op.constantValue {
        memo[top] = CLiteral.number(c, node.type.dtype)
      } else if let b = schedule.bufferOf[top.node] {
        let buffer = schedule.buffers[b]
        _ = local(top.node, "\(buffer.name)[\(top.index.offset(in: node.type.shape))]", top.index)
      } else {
        let reads = operandReads(top.node, top.index)
        let pending = reads.filter { memo[$0] == nil }
        if !pending.isEmpty {
          stack.append(contentsOf: pending.reversed())
          continue
        }
        memo[top] = define(top.node, top.index, reads.map { memo[$0] ?? "" })
      }
      stack.removeLast()
    }
    return memo[key] ?? ""
  }

  /// The node's own computation at `index` (for a root, even though it has a buffer).
  private mutating func definition(_ id: NodeID, _ index: IndexMapping) -> String {
    let operands = operandReads(id, index).map { value($0.node, $0.index) }
    return define(id, index, operands)
  }

  /// The operand elements a node's definition reads at `index`. Pad and concat read their
  /// operands' buffers directly inside a condition, so they list none.
  private func operandReads(_ id: NodeID, _ index: IndexMapping) -> [MemoKey] {
    let node = graph[id]
    let shape = node.type.shape
    switch node.op {
    case .constant, .pad, .concat:
      return []
    case .neg, .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs, .add, .sub, .mul, .div, .pow,
      .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual, .select,
      .cast:
      return node.inputs.map { MemoKey(node: $0, index: index) }
    case .broadcast:
      let source = graph[node.inputs[0]].type.shape
      return [MemoKey(node: node.inputs[0], index: index.broadcast(from: shape, to: source))]
    case .reshape:
      return [MemoKey(node: node.inputs[0], index: .flat(index.offset(in: shape)))]
    case .transpose(let perm):
      return [MemoKey(node: node.inputs[0], index: index.transpose(perm, shape: shape))]
    case .slice(let start, _):
      return [MemoKey(node: node.inputs[0], index: index.shifted(by: start, shape: shape))]
    case .input, .param, .sum, .reduceMax, .matmul:
      preconditionFailure("codegen: node \(id) has no buffer:\n\(graph.context(around: id))")
    }
  }

  /// The expression of a node at `index` given its operands' expressions (in the order of
  /// `operandReads`). Index-only ops return their operand's expression unchanged.
  private mutating func define(_ id: NodeID, _ index: IndexMapping, _ operands: [String])
    -> String
  {
    let node = graph[id]
    switch node.op {
    case .constant(let c):
      return CLiteral.number(c.value, node.type.dtype)
    case .neg, .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs, .add, .sub, .mul, .div, .pow,
      .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual, .select,
      .cast:
      return local(id, CExpressions.expression(node.op, operands, node.type.dtype), index)
    case .broadcast, .reshape, .transpose, .slice:
      return operands[0]
    case .pad(let low, _):
      return local(id, padExpression(node, low: low, index), index)
    case .concat(let axis):
      return local(id, concatExpression(node, axis: axis, index), index)
    case .input, .param, .sum, .reduceMax, .matmul:
      preconditionFailure("codegen: node \(id) has no buffer:\n\(graph.context(around: id))")
    }
  }

  /// `in range ? operand[c - low] : 0`. The read stays inside the condition (never hoisted
  /// into a local) so it cannot run out of bounds.
  private func padExpression(_ node: Node, low: [Int], _ index: IndexMapping) -> String {
    let operand = node.inputs[0]
    let inner = graph[operand].type.shape
    let cs = index.coordinates(in: node.type.shape)
    var conditions: [String] = []
    for axis in cs.indices where graph[operand].type.shape[axis] != node.type.shape[axis] {
      conditions.append("\(cs[axis]) >= \(low[axis]) && \(cs[axis]) < \(low[axis] + inner[axis])")
    }
    let read = directRead(operand, index.shifted(by: low.map { -$0 }, shape: node.type.shape))
    if conditions.isEmpty { return read }
    return
      "(\(conditions.joined(separator: " && "))) ? \(read) : \(CLiteral.number(0, node.type.dtype))"
  }

  /// Nested ternaries choosing the part along `axis`; reads stay inside their branch.
  private func concatExpression(_ node: Node, axis: Int, _ index: IndexMapping) -> String {
    let cs = index.coordinates(in: node.type.shape)
    var start = 0
    var branches: [(String, String)] = []
    for part in node.inputs {
      let size = graph[part].type.shape[axis]
      var shift = [Int](repeating: 0, count: cs.count)
      shift[axis] = -start
      let read = directRead(part, IndexMapping.multi(cs).shifted(by: shift, shape: node.type.shape))
      start += size
      branches.append(("\(cs[axis]) < \(start)", read))
    }
    var expression = branches.last?.1 ?? CLiteral.number(0, node.type.dtype)
    for (condition, read) in branches.dropLast().reversed() {
      expression = "\(condition) ? \(read) : (\(expression))"
    }
    return expression
  }

  /// A buffer element or literal as an expression, without a local.
  private func directRead(_ id: NodeID, _ index: IndexMapping) -> String {
    let node = graph[id]
    if let c = node.op.constantValue { return CLiteral.number(c, node.type.dtype) }
    guard let b = schedule.bufferOf[id] else {
      preconditionFailure("codegen: pad/concat operand \(id) has no buffer")
    }
    return "\(schedule.buffers[b].name)[\(index.offset(in: node.type.shape))]"
  }

  /// Declares `const T tN = expression;` in the loop body and memoises it.
  private mutating func local(_ id: NodeID, _ expression: String, _ index: IndexMapping) -> String {
    let count = localCount[id, default: 0]
    localCount[id] = count + 1
    let name = count == 0 ? "t\(id.index)" : "t\(id.index)_\(count)"
    let node = graph[id]
    var line = "const \(node.type.dtype.cName) \(name) = \(expression);"
    if annotate {
      var note = node.op.name
      if let label = graph.labels[id] { note += " " + CLiteral.comment(label) }
      line += " /* \(note) */"
    }
    body.append(line)
    memo[MemoKey(node: id, index: index)] = name
    return name
  }

  // MARK: Matrix product

  /// `C = A B` with A n×k and B k×m, in i-k-j order so the inner loop walks rows of B and C.
  private func writeMatmul(_ root: Root, _ w: inout CWriter) {
    let node = graph[root.node]
    let (a, b) = (node.inputs[0], node.inputs[1])
    let n = graph[a].type.shape[0]
    let k = graph[a].type.shape[1]
    let m = graph[b].type.shape[1]
    let pa = schedule.buffers[schedule.bufferOf[a] ?? 0].name
    let pb = schedule.buffers[schedule.bufferOf[b] ?? 0].name
    let pc = schedule.buffers[root.buffer].name
    let t = node.type.dtype.cName
    let zero = CLiteral.number(0, node.type.dtype)
    w.line("for (long long j = 0; j < \(n * m); j++) \(pc)[j] = \(zero);")
    w.block("for (long long i = 0; i < \(n); i++)") { w in
      w.block("for (long long p = 0; p < \(k); p++)") { w in
        w.line("const \(t) a = \(pa)[i * \(k) + p];")
        w.line(
          "for (long long j = 0; j < \(m); j++) \(pc)[i * \(m) + j] += a * \(pb)[p * \(m) + j];")
      }
    }
  }
}

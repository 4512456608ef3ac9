import GraphIR

/// Expressions for values inside a loop body: literals, buffer loads and inlined ops,
/// memoised by (node, index mapping).
extension KernelWriter {
  /// The C expression for node `id` at `index`: a literal, a local holding the value, or
  /// (for a value used once) the parenthesised expression itself; loaded from the node's
  /// buffer if it has one, else computed inline. Counts as one use of the value.
  ///
  /// Iterative (an explicit stack, operands first) so that long chains of inlined ops do not
  /// exhaust the thread's stack.
  mutating func value(_ id: NodeID, _ index: IndexMapping) -> String {
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
      } else if let b = plan.bufferOf[top.node], !computedHere.contains(top.node) {
        let buffer = plan.buffers[b]
        let load = "\(buffer.name)[\(address(top.index.offset(in: node.type.shape)))]"
        memo[top] = local(top.node, load, top.index, operands: [], isPrimary: true)
      } else {
        let reads = operandReads(top.node, top.index)
        let pending = reads.filter { memo[$0] == nil }
        if !pending.isEmpty {
          stack.append(contentsOf: pending.reversed())
          continue
        }
        if !readsThrough(top.node) { reads.forEach { countUse($0) } }
        memo[top] = define(top.node, top.index, reads)
      }
      stack.removeLast()
    }
    countUse(key)
    return expression(key)
  }

  /// The memoised expression of a value already written.
  func expression(_ key: MemoKey) -> String {
    guard let known = memo[key] else {
      preconditionFailure(
        "codegen: \(key.node) used before it is written:\n"
          + graph.context(around: key.node))
    }
    return known
  }

  /// The node's own computation at `index` (for a root, even though it has a buffer).
  mutating func definition(_ id: NodeID, _ index: IndexMapping) -> String {
    let key = MemoKey(node: id, index: index)
    countUse(key)
    if let known = memo[key] { return known }
    let reads = operandReads(id, index)
    for read in reads { _ = value(read.node, read.index) }
    return define(id, index, reads)
  }

  /// The annotation of the values inlined into the expression of `key` (empty for a local).
  func notes(_ key: MemoKey) -> [String] {
    inlinedNotes[key] ?? []
  }

  /// Records one use of a value in the counting pass. An index-only op (broadcast, reshape,
  /// transpose, slice) or a take read in place is its operand's expression, so the use goes
  /// to the operand.
  private mutating func countUse(_ key: MemoKey) {
    guard uses == nil else { return }
    var key = key
    while readsThrough(key.node), let operand = operandReads(key.node, key.index).first {
      key = operand
    }
    counted[key, default: 0] += 1
  }

  /// True for a value that is its operand read at another element: an index-only op, or a
  /// `take` read in place (no buffer).
  private func readsThrough(_ id: NodeID) -> Bool {
    if graph[id].op.facts.isIndexOnly { return true }
    if case .take = graph[id].op { return plan.bufferOf[id] == nil }
    return false
  }

  /// The operand elements a node's definition reads at `index`. Pad and concat read their
  /// operands' buffers directly inside a condition, so they list none.
  private func operandReads(_ id: NodeID, _ index: IndexMapping) -> [MemoKey] {
    let node = graph[id]
    let shape = node.type.shape
    switch node.op {
    case .constant, .pad, .concat, .iota:
      return []
    case .neg, .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs, .erf, .lgamma, .polygamma, .add,
      .sub, .mul, .div, .pow, .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual,
      .equal, .notEqual, .select, .cast, .stopGradient:
      return node.inputs.map { MemoKey(node: $0, index: index) }
    case .broadcast:
      let source = graph[node.inputs[0]].type.shape
      return [MemoKey(node: node.inputs[0], index: index.broadcast(from: shape, to: source))]
    case .reshape:
      return [MemoKey(node: node.inputs[0], index: .flat(index.offset(in: shape)))]
    case .transpose(let perm):
      return [MemoKey(node: node.inputs[0], index: index.transpose(perm, shape: shape))]
    case .slice(let start, _, let step):
      return [MemoKey(node: node.inputs[0], index: index.strided(start, step, shape: shape))]
    case .window(let w):
      // Element (kh, kw, i, j) of the windows is (i*sh + kh*dh, j*sw + kw*dw) of the operand.
      let cs = index.coordinates(in: shape)
      let q = cs.count
      let row: IndexExpression = cs[q - 2] * w.stride[0] + cs[q - 4] * w.dilation[0]
      let column: IndexExpression = cs[q - 1] * w.stride[1] + cs[q - 3] * w.dilation[1]
      let source: [IndexExpression] = Array(cs.prefix(q - 4)) + [row, column]
      return [MemoKey(node: node.inputs[0], index: .multi(source))]
    case .windowSum:
      return []
    case .take(let axis, _):
      // A take no kernel stores: its operand read where the index says (checked by the
      // take's own check kernel, which runs first).
      let (x, idx) = (node.inputs[0], node.inputs[1])
      guard let b = plan.bufferOf[idx] else {
        preconditionFailure(
          "codegen: a take's indices have no buffer:\n\(graph.context(around: id))")
      }
      let indexShape = graph[idx].type.shape
      let cs = index.coordinates(in: shape)
      let position = IndexMapping.multi(Array(cs[axis..<(axis + indexShape.count)]))
      let element = IndexExpression.element(
        plan.buffers[b].name, position.offset(in: indexShape), size: graph[x].type.shape[axis])
      let source = Array(cs[..<axis]) + [element] + Array(cs[(axis + indexShape.count)...])
      return [MemoKey(node: x, index: .multi(source))]
    case .input, .param, .sum, .reduceMax, .cumsum, .matmul, .scatterAdd, .allreduce, .loop,
      .result:
      preconditionFailure("codegen: node \(id) has no buffer:\n\(graph.context(around: id))")
    }
  }

  /// The expression of a node at `index` given its operands (`operandReads`, already in
  /// `memo`). Index-only ops return their operand's expression unchanged.
  private mutating func define(_ id: NodeID, _ index: IndexMapping, _ reads: [MemoKey])
    -> String
  {
    let node = graph[id]
    let operands = reads.map(expression)
    switch node.op {
    case .constant(let c):
      return CLiteral.number(c.value, node.type.dtype)
    case .pow:
      if let exponent = graph[node.inputs[1]].op.constantValue,
        let product = CExpressions.integerPower(operands[0], exponent: exponent, node.type.dtype)
      {
        return local(id, product, index, operands: reads)
      }
      return local(
        id, CExpressions.expression(node.op, operands, node.type.dtype), index, operands: reads)
    case .select:
      // An inlined comparison as the condition is tested directly (see CExpressions); one
      // loaded from its buffer (computed by another kernel) is tested as a value.
      let test = reads[0]
      let loaded = plan.bufferOf[test.node] != nil && !computedHere.contains(test.node)
      if !loaded, inlineDepth[test] != nil,
        let condition = CExpressions.condition(
          graph[test.node].op, operandReads(test.node, test.index).map(expression))
      {
        let expression = "\(condition) ? \(operands[1]) : \(operands[2])"
        return local(id, expression, index, operands: reads)
      }
      return local(
        id, CExpressions.expression(node.op, operands, node.type.dtype), index, operands: reads)
    case .neg, .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs, .erf, .lgamma, .polygamma, .add,
      .sub, .mul, .div, .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual, .equal,
      .notEqual, .cast, .stopGradient:
      return local(
        id, CExpressions.expression(node.op, operands, node.type.dtype), index, operands: reads)
    case .broadcast, .reshape, .transpose, .slice, .take:
      return operands[0]
    case .pad(let low, _):
      return local(id, padExpression(node, low: low, index), index, operands: reads)
    case .concat(let axis):
      return local(id, concatExpression(node, axis: axis, index), index, operands: reads)
    case .window:
      return operands[0]
    case .windowSum(let w):
      return local(id, windowSumExpression(node, w, index), index, operands: reads)
    case .iota(let axis):
      let coordinate = index.coordinates(in: node.type.shape)[axis]
      return local(id, "(\(node.type.dtype.cName))(\(coordinate.text))", index, operands: reads)
    case .input, .param, .sum, .reduceMax, .cumsum, .matmul, .scatterAdd, .allreduce, .loop,
      .result:
      preconditionFailure("codegen: node \(id) has no buffer:\n\(graph.context(around: id))")
    }
  }

  /// `in range ? operand[c - low] : 0`. The read stays inside the condition (never hoisted
  /// into a local) so it cannot run out of bounds.
  private mutating func padExpression(_ node: Node, low: [Int], _ index: IndexMapping) -> String {
    let operand = node.inputs[0]
    let inner = graph[operand].type.shape
    let cs = index.coordinates(in: node.type.shape)
    var conditions: [String] = []
    // A test the coordinate's range always passes is left out (`c >= 0`, `c < extent`).
    for axis in cs.indices where graph[operand].type.shape[axis] != node.type.shape[axis] {
      let (first, last) = cs[axis].range
      if first < low[axis] { conditions.append("\(cs[axis].operandText) >= \(low[axis])") }
      if last >= low[axis] + inner[axis] {
        conditions.append("\(cs[axis].operandText) < \(low[axis] + inner[axis])")
      }
    }
    let read = directRead(operand, index.shifted(by: low.map { -$0 }, shape: node.type.shape))
    if conditions.isEmpty { return read }
    return
      "(\(conditions.joined(separator: " && "))) ? \(read) : \(CLiteral.number(0, node.type.dtype))"
  }

  /// The sum of the window elements taken from this element: for each window offset
  /// `(kh, kw)`, the element `(i, j)` with `i*sh + kh*dh = h` (and likewise `j`), when there
  /// is one; each read inside its condition, so none goes out of bounds.
  private mutating func windowSumExpression(_ node: Node, _ w: Window, _ index: IndexMapping)
    -> String
  {
    let operand = node.inputs[0]
    let windows = graph[operand].type.shape
    let cs = index.coordinates(in: node.type.shape)
    let q = cs.count
    let counts = [windows[windows.count - 2], windows[windows.count - 1]]
    let zero = CLiteral.number(0, node.type.dtype)
    if w.stride == w.kernel, w.dilation == [1, 1] {
      // Windows that tile the axes (pooling): an element lies in at most one window, at
      // offset (h % sh, w % sw) of window (h / sh, w / sw), so one read replaces KH*KW tests.
      var conditions: [String] = []
      var offsets: [IndexExpression] = []
      var at: [IndexExpression] = []
      for k in 0..<2 {
        let e = cs[q - 2 + k]
        let last = counts[k] * w.stride[k] - 1  // beyond it, the windows that did not fit
        if e.range.high > last { conditions.append("\(e.operandText) <= \(last)") }
        offsets.append(e.remainder(w.stride[k]))
        at.append(e.divided(by: w.stride[k]))
      }
      let read = directRead(operand, .multi(Array(cs.prefix(q - 2)) + offsets + at))
      let test = conditions.joined(separator: " && ")
      return conditions.isEmpty ? read : "(\(test) ? \(read) : \(zero))"
    }
    var terms: [String] = []
    for kh in 0..<w.kernel[0] {
      for kw in 0..<w.kernel[1] {
        var conditions: [String] = []
        var at: [IndexExpression] = []
        for (k, offset) in [(0, kh), (1, kw)] {
          // e = position - offset*dilation must be a multiple of the stride in 0 ..< count.
          let e = cs[q - 2 + k] + (-offset * w.dilation[k])
          let (low, high) = e.range
          if low < 0 { conditions.append("\(e.operandText) >= 0") }
          if w.stride[k] > 1 { conditions.append("\(e.operandText) % \(w.stride[k]) == 0") }
          if high > (counts[k] - 1) * w.stride[k] {
            conditions.append("\(e.operandText) <= \((counts[k] - 1) * w.stride[k])")
          }
          at.append(w.stride[k] == 1 ? e : e.divided(by: w.stride[k]))
        }
        let offsets: [IndexExpression] = [IndexExpression(kh), IndexExpression(kw)]
        let read = directRead(operand, .multi(Array(cs.prefix(q - 2)) + offsets + at))
        let test = conditions.joined(separator: " && ")
        terms.append(conditions.isEmpty ? read : "(\(test) ? \(read) : \(zero))")
      }
    }
    return terms.joined(separator: " + ")
  }

  /// Nested ternaries choosing the part along `axis`; reads stay inside their branch.
  private mutating func concatExpression(_ node: Node, axis: Int, _ index: IndexMapping) -> String {
    let cs = index.coordinates(in: node.type.shape)
    var start = 0
    var branches: [(String, String)] = []
    for part in node.inputs {
      let size = graph[part].type.shape[axis]
      var shift = [Int](repeating: 0, count: cs.count)
      shift[axis] = -start
      let read = directRead(part, IndexMapping.multi(cs).shifted(by: shift, shape: node.type.shape))
      start += size
      branches.append(("\(cs[axis].operandText) < \(start)", read))
    }
    var expression = branches.last?.1 ?? CLiteral.number(0, node.type.dtype)
    for (condition, read) in branches.dropLast().reversed() {
      expression = "\(condition) ? \(read) : (\(expression))"
    }
    return expression
  }

  /// A buffer element or literal as an expression, without a local.
  private mutating func directRead(_ id: NodeID, _ index: IndexMapping) -> String {
    let node = graph[id]
    if let c = node.op.constantValue { return CLiteral.number(c, node.type.dtype) }
    // A reshape, transpose or slice without a buffer is read from its operand's (see
    // `StoredValues.indexOnlySource` and `viewSource`).
    if plan.bufferOf[id] == nil, case .reshape = node.op {
      return directRead(node.inputs[0], .flat(index.offset(in: node.type.shape)))
    }
    if plan.bufferOf[id] == nil, case .transpose(let perm) = node.op {
      return directRead(node.inputs[0], index.transpose(perm, shape: node.type.shape))
    }
    if plan.bufferOf[id] == nil, case .slice(let start, _, let step) = node.op {
      return directRead(node.inputs[0], index.strided(start, step, shape: node.type.shape))
    }
    guard let b = plan.bufferOf[id] else {
      preconditionFailure("codegen: pad/concat operand \(id) has no buffer")
    }
    return "\(plan.buffers[b].name)[\(address(index.offset(in: node.type.shape)))]"
  }

  /// Declares `const T tN = expression;` in the loop body and memoises it; or, for a value
  /// used once, returns the expression in parentheses (see `KernelWriter`).
  private mutating func local(
    _ id: NodeID, _ expression: String, _ index: IndexMapping, operands: [MemoKey],
    isPrimary: Bool = false
  ) -> String {
    let key = MemoKey(node: id, index: index)
    let node = graph[id]
    var note = node.op.name
    if annotate {
      if let label = graph.labels[id] { note += " " + CLiteral.comment(label) }
      if let rule = graph.rules[id] { note += ": " + CLiteral.comment(rule) }
    }
    let inner = operands.flatMap { notes($0) }
    let depth = 1 + (operands.map { inlineDepth[$0] ?? 0 }.max() ?? 0)
    if let uses, uses[key, default: 0] <= 1, depth <= Self.maxInlineDepth {
      inlineDepth[key] = depth
      if annotate { inlinedNotes[key] = inner + ["%\(id.index) \(note)"] }
      let inline = isPrimary ? expression : "(\(expression))"
      memo[key] = inline
      return inline
    }
    let count = localCount[id, default: 0]
    localCount[id] = count + 1
    let name = count == 0 ? "t\(id.index)" : "t\(id.index)_\(count)"
    let line = "const \(node.type.dtype.cName) \(name) = \(expression);"
    if annotate {
      body.append("/* \(name): \(note)\(Self.inlinedComment(inner)) */")
    }
    body.append(line)
    memo[key] = name
    return name
  }

  /// How deeply inlined expressions may nest before a value gets a local anyway: TinyCC's
  /// value stack overflows ("memory full (vstack)") on a few hundred nested parentheses, and
  /// a line should stay readable.
  static let maxInlineDepth = 12

  /// `; with %4 sub, %5 pow` naming the values written inline in a statement, or "".
  static func inlinedComment(_ notes: [String]) -> String {
    notes.isEmpty ? "" : "; with " + notes.joined(separator: ", ")
  }
}

import GraphIR

/// The update `y = a - b * s` (a gradient-descent step) as two BLAS calls.
extension KernelWriter {
  /// The operands of a kernel that computes only `a - b * s` (or `a - s * b`) elementwise,
  /// with `a`, `b` buffers of the result's shape and `s` a scalar: a literal, or element 0
  /// of a one-element buffer read through a broadcast. Nil for any other kernel.
  func axpyOperands(_ kernel: Kernel) -> (a: String, b: String, s: String)? {
    guard blas, kernel.isFlat, kernel.chunks == 0, kernel.roots.count == 1,
      case .loop = kernel.kind, !kernel.roots[0].isCopy
    else { return nil }
    let node = graph[kernel.roots[0].node]
    guard case .sub = node.op, schedule.bufferOf[node.inputs[1]] == nil,
      case .mul = graph[node.inputs[1]].op, let a = wholeBuffer(node.inputs[0], node.type)
    else { return nil }
    let factors = graph[node.inputs[1]].inputs
    for (b, s) in [(factors[0], factors[1]), (factors[1], factors[0])] {
      if let b = wholeBuffer(b, node.type), let s = scalar(s) { return (a, b, s) }
    }
    return nil
  }

  /// `y = a - b * s` over iterations `range` as `y = a` (copy) then `y += (-s) * b` (axpy).
  ///
  /// TinyCC's scalar loop costs about 31 instructions per element; OpenBLAS's vector loops
  /// make W1's SGD updates (265k weights) several times faster. The result may differ from
  /// the loop's in the last bit: axpy may fuse the multiply and add.
  func writeAxpy(
    _ kernel: Kernel, _ operands: (a: String, b: String, s: String), split: Bool,
    _ w: inout CWriter
  ) {
    let root = kernel.roots[0]
    let node = graph[root.node]
    let y = schedule.buffers[root.buffer].name
    let prefix = node.type.dtype == .f32 ? "cblas_s" : "cblas_d"
    let (lo, count) = split ? ("gc_lo", "(int)(gc_hi - gc_lo)") : ("0", "\(node.type.count)")
    w.line("/* \(y) = \(operands.a) - \(operands.b) * \(operands.s) as a BLAS copy and axpy */")
    w.line("\(prefix)copy(\(count), \(operands.a) + \(lo), 1, \(y) + \(lo), 1);")
    w.line("\(prefix)axpy(\(count), -\(operands.s), \(operands.b) + \(lo), 1, \(y) + \(lo), 1);")
  }

  /// The buffer name of `id` when it is stored whole, in row-major order, with `type`.
  private func wholeBuffer(_ id: NodeID, _ type: TensorType) -> String? {
    guard graph[id].type == type, let b = schedule.bufferOf[id], !computedHere.contains(id)
    else { return nil }
    return schedule.buffers[b].name
  }

  /// A scalar operand as an expression: a literal, or a stored one-element value.
  private func scalar(_ id: NodeID) -> String? {
    let node = graph[id]
    if let c = node.op.constantValue { return CLiteral.number(c, node.type.dtype) }
    guard case .broadcast = node.op else { return nil }
    let source = node.inputs[0]
    if let c = graph[source].op.constantValue {
      return CLiteral.number(c, node.type.dtype)
    }
    guard graph[source].type.count == 1, let b = schedule.bufferOf[source] else { return nil }
    return "\(schedule.buffers[b].name)[0]"
  }
}

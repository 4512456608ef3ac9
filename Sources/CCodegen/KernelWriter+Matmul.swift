import GraphIR

/// The matrix-product kernel.
extension KernelWriter {
  /// `C = A B` with A n×k and B k×m, in i-k-j order so the inner loop walks rows of B and C.
  /// Computes rows `gc_lo ..< gc_hi` (the entry passes 0 ..< n).
  func writeMatmul(_ root: Root, _ w: inout CWriter) {
    let node = graph[root.node]
    let (a, b) = (node.inputs[0], node.inputs[1])
    let k = graph[a].type.shape[1]
    let m = graph[b].type.shape[1]
    let pa = schedule.buffers[schedule.bufferOf[a] ?? 0].name
    let pb = schedule.buffers[schedule.bufferOf[b] ?? 0].name
    let pc = schedule.buffers[root.buffer].name
    let t = node.type.dtype.cName
    let zero = CLiteral.number(0, node.type.dtype)
    // Rows gc_lo ..< gc_hi, so a thread pool can split the product by rows.
    w.block("for (long long i = gc_lo; i < gc_hi; i++)") { w in
      w.line("for (long long j = 0; j < \(m); j++) \(pc)[i * \(m) + j] = \(zero);")
      w.block("for (long long p = 0; p < \(k); p++)") { w in
        w.line("const \(t) a = \(pa)[i * \(k) + p];")
        w.line(
          "for (long long j = 0; j < \(m); j++) \(pc)[i * \(m) + j] += a * \(pb)[p * \(m) + j];")
      }
    }
  }
}

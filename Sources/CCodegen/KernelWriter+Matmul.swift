import GraphIR

/// The matrix-product kernel.
extension KernelWriter {
  /// `C = A B` with A n×k and B k×m, for rows `gc_lo ..< gc_hi` of C (the entry passes
  /// `0 ..< n`, or a thread pool splits the rows). An operand that is a matrix transpose of
  /// a buffer is read through a transpose flag, never copied.
  ///
  /// With `blas`, one call to `cblas_sgemm`/`cblas_dgemm` (bound by the runtime); else
  /// portable loops in i-k-j order, so the inner loop walks rows of B and C.
  ///
  /// For a biased product (`BiasedMatmul`), C starts as the bias rows and the product is
  /// added onto it (beta = 1), so the buffer holds `A B + bias`.
  func writeMatmul(_ root: Root, _ w: inout CWriter) {
    let node = graph[Schedule.productNode(graph, root.node)]
    let bias = schedule.biasedMatmuls[root.node].flatMap { schedule.bufferOf[$0.bias] }
    let initial = bias.map { "\(schedule.buffers[$0].name)[j]" }
    let (n, k) = (graph[node.inputs[0]].type.shape[0], graph[node.inputs[0]].type.shape[1])
    let m = graph[node.inputs[1]].type.shape[1]
    let a = Schedule.matmulOperand(graph, node.inputs[0])
    let b = Schedule.matmulOperand(graph, node.inputs[1])
    let pa = schedule.buffers[schedule.bufferOf[a.node] ?? 0].name
    let pb = schedule.buffers[schedule.bufferOf[b.node] ?? 0].name
    let pc = schedule.buffers[root.buffer].name
    let dtype = node.type.dtype
    let zero = CLiteral.number(0, dtype)
    if n == 0 || m == 0 { return }
    let start = initial ?? zero
    if k == 0 || (blas && initial != nil) {
      // An empty sum: BLAS implementations differ on k = 0, so write the zeros (or the
      // bias) directly. A biased product starts from its bias rows.
      w.block("for (long long i = gc_lo; i < gc_hi; i++)") { w in
        w.line("for (long long j = 0; j < \(m); j++) \(pc)[i * \(m) + j] = \(start);")
      }
      if k == 0 { return }
    }
    if blas {
      // Row-major CBLAS: rows lo..hi of A start at row lo of A, or at column lo of the
      // stored matrix when A is read transposed.
      let gemm = dtype == .f32 ? "cblas_sgemm" : "cblas_dgemm"
      let one = CLiteral.number(1, dtype)
      let aStart = a.transposed ? "\(pa) + gc_lo" : "\(pa) + gc_lo * \(k)"
      let lda = a.transposed ? n : k
      let ldb = b.transposed ? k : m
      let flags = "\(a.transposed ? 112 : 111), \(b.transposed ? 112 : 111)"
      w.line(
        "\(gemm)(101, \(flags), (int)(gc_hi - gc_lo), \(m), \(k), \(one), \(aStart), \(lda), "
          + "\(pb), \(ldb), \(initial == nil ? zero : one), \(pc) + gc_lo * \(m), \(m));")
      return
    }
    let t = dtype.cName
    let aElement = a.transposed ? "\(pa)[p * \(n) + i]" : "\(pa)[i * \(k) + p]"
    if b.transposed {
      // B's columns are rows of the stored matrix: a dot product per element of C.
      w.block("for (long long i = gc_lo; i < gc_hi; i++)") { w in
        w.block("for (long long j = 0; j < \(m); j++)") { w in
          w.line("\(t) s = \(zero);")
          w.line("for (long long p = 0; p < \(k); p++) s += \(aElement) * \(pb)[j * \(k) + p];")
          w.line("\(pc)[i * \(m) + j] = \(initial.map { "s + \($0)" } ?? "s");")
        }
      }
      return
    }
    w.block("for (long long i = gc_lo; i < gc_hi; i++)") { w in
      w.line("for (long long j = 0; j < \(m); j++) \(pc)[i * \(m) + j] = \(start);")
      w.block("for (long long p = 0; p < \(k); p++)") { w in
        w.line("const \(t) a = \(aElement);")
        w.line(
          "for (long long j = 0; j < \(m); j++) \(pc)[i * \(m) + j] += a * \(pb)[p * \(m) + j];")
      }
    }
  }
}

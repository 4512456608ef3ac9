import GraphIR

/// The BLAS-shaped kinds: matrix products, axpy updates and column sums.
extension KernelWriter {
  /// `.matmul`: `C = A B` with A n×k and B k×m, for the rows the caller's range covers. An
  /// operand that is a matrix transpose of a buffer is read through a transpose flag, never
  /// copied.
  ///
  /// With `blas`, one call to `cblas_sgemm`/`cblas_dgemm` (bound by the runtime); else
  /// portable loops in i-k-j order, so the inner loop walks rows of B and C.
  ///
  /// For a biased product, C starts as the bias rows and the product is added onto it
  /// (beta = 1), so the buffer holds `A B + bias`. A stack of `batch` products loops over
  /// its matrices (threads split the stack, not the rows), each one product as above.
  func writeMatmul(_ p: MatrixProduct, _ w: inout CWriter) {
    let (pa, pb, pc) = (plan.buffers[p.a].name, plan.buffers[p.b].name, plan.buffers[p.c].name)
    guard p.batch > 1 else {
      writeProduct(p, pa, pb, pc, split: kernel.threads != nil, &w)
      return
    }
    if p.n == 0 || p.m == 0 { return }
    let t = p.dtype.cName
    w.block("for (long long \(outerRange("q", p.batch)); q++)") { w in
      w.line("const \(t)* ma = \(pa) + q * \(p.n * p.k);")
      w.line("const \(t)* mb = \(pb) + q * \(p.k * p.m);")
      w.line("\(t)* mc = \(pc) + q * \(p.n * p.m);")
      writeProduct(p, "ma", "mb", "mc", split: false, &w)
    }
  }

  /// One product `pc = pa pb` (see `writeMatmul`), over the caller's rows when `split`.
  private func writeProduct(
    _ p: MatrixProduct, _ pa: String, _ pb: String, _ pc: String, split: Bool,
    _ w: inout CWriter
  ) {
    let (n, k, m) = (p.n, p.k, p.m)
    let initial = p.bias.map { "\(plan.buffers[$0].name)[j]" }
    let zero = CLiteral.number(0, p.dtype)
    if n == 0 || m == 0 { return }
    let start = initial ?? zero
    let rows = split ? "i = gc_lo; i < gc_hi" : "i = 0; i < \(n)"
    let (lo, count) = split ? ("gc_lo", "(int)(gc_hi - gc_lo)") : ("0", "\(n)")
    if k == 0 || (p.blas && initial != nil) {
      // An empty sum: BLAS implementations differ on k = 0, so write the zeros (or the
      // bias) directly. A biased product starts from its bias rows.
      w.block("for (long long \(rows); i++)") { w in
        w.line("for (long long j = 0; j < \(m); j++) \(pc)[i * \(m) + j] = \(start);")
      }
      if k == 0 { return }
    }
    if p.blas {
      // Row-major CBLAS: rows lo..hi of A start at row lo of A, or at column lo of the
      // stored matrix when A is read transposed.
      let gemm = p.dtype == .f32 ? "cblas_sgemm" : "cblas_dgemm"
      let one = CLiteral.number(1, p.dtype)
      let aStart = lo == "0" ? pa : p.aTransposed ? "\(pa) + \(lo)" : "\(pa) + \(lo) * \(k)"
      let cStart = lo == "0" ? pc : "\(pc) + \(lo) * \(m)"
      let lda = p.aTransposed ? n : k
      let ldb = p.bTransposed ? k : m
      let flags = "\(p.aTransposed ? 112 : 111), \(p.bTransposed ? 112 : 111)"
      w.line(
        "\(gemm)(101, \(flags), \(count), \(m), \(k), \(one), \(aStart), \(lda), "
          + "\(pb), \(ldb), \(initial == nil ? zero : one), \(cStart), \(m));")
      return
    }
    let t = p.dtype.cName
    let aElement = p.aTransposed ? "\(pa)[p * \(n) + i]" : "\(pa)[i * \(k) + p]"
    if p.bTransposed {
      // B's columns are rows of the stored matrix: a dot product per element of C.
      w.block("for (long long \(rows); i++)") { w in
        w.block("for (long long j = 0; j < \(m); j++)") { w in
          w.line("\(t) s = \(zero);")
          w.line("for (long long p = 0; p < \(k); p++) s += \(aElement) * \(pb)[j * \(k) + p];")
          w.line("\(pc)[i * \(m) + j] = \(initial.map { "s + \($0)" } ?? "s");")
        }
      }
      return
    }
    w.block("for (long long \(rows); i++)") { w in
      w.line("for (long long j = 0; j < \(m); j++) \(pc)[i * \(m) + j] = \(start);")
      w.block("for (long long p = 0; p < \(k); p++)") { w in
        w.line("const \(t) a = \(aElement);")
        w.line(
          "for (long long j = 0; j < \(m); j++) \(pc)[i * \(m) + j] += a * \(pb)[p * \(m) + j];")
      }
    }
  }

  /// `.axpy`: `y = a - b * s` as `y = a` (BLAS copy) then `y += (-s) * b` (BLAS axpy), over
  /// the caller's range.
  func writeAxpy(_ axpy: Axpy, _ w: inout CWriter) {
    let (y, a, b) = (
      plan.buffers[axpy.y].name, plan.buffers[axpy.a].name, plan.buffers[axpy.b].name
    )
    let s: String =
      switch axpy.scale {
      case .literal(let c): CLiteral.number(c, axpy.dtype)
      case .element(let buffer): "\(plan.buffers[buffer].name)[0]"
      }
    let prefix = axpy.dtype == .f32 ? "cblas_s" : "cblas_d"
    let (lo, count) =
      kernel.threads == nil ? ("", "\(axpy.count)") : (" + gc_lo", "(int)(gc_hi - gc_lo)")
    w.line("/* \(y) = \(a) - \(b) * \(s) as a BLAS copy and axpy */")
    w.line("\(prefix)copy(\(count), \(a)\(lo), 1, \(y)\(lo), 1);")
    w.line("\(prefix)axpy(\(count), -\(s), \(b)\(lo), 1, \(y)\(lo), 1);")
  }

  /// `.columnSums`: `y = Aᵀ · ones` (one `cblas_sgemv`/`cblas_dgemv` call), with A the
  /// summed value's buffer as rows × columns.
  func writeColumnSum(_ sum: ColumnSum, _ w: inout CWriter) {
    let one = CLiteral.number(1, sum.dtype)
    let gemv = sum.dtype == .f32 ? "cblas_sgemv" : "cblas_dgemv"
    let (x, y) = (plan.buffers[sum.x].name, plan.buffers[sum.y].name)
    w.line("/* \(y) = column sums of \(x), as (\(x) transposed) times a vector of ones */")
    w.line("\(sum.dtype.cName) ones[\(sum.rows)];")
    w.line("for (long long j = 0; j < \(sum.rows); j++) ones[j] = \(one);")
    w.line(
      "\(gemv)(101, 112, \(sum.rows), \(sum.columns), \(one), \(x), \(sum.columns), ones, 1, "
        + "\(CLiteral.number(0, sum.dtype)), \(y), 1);")
  }
}

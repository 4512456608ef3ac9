import GraphIR

extension Plan {
  /// The plan as comment lines after the IR (what `graphc ir` prints): one line per kernel
  /// with its kind, what it loops over, the nodes it writes into which buffers and the
  /// buffers it reads; then one line per buffer with its place.
  ///
  /// ```
  /// # k0 matmul 32x16 @ 16x8 + bias, BLAS: %5 -> p5; reads p0, p1, p2
  /// # k1 flat over f32[32,8], threads: %7 -> p7, %9 -> out1; reads p5
  /// # p5 f32[32,8] in the arena at 0
  /// ```
  public func text(_ graph: Graph) -> String {
    var lines: [String] = []
    for (k, kernel) in kernels.enumerated() {
      let written = kernel.results.map { "\($0.node) -> \(buffers[$0.buffer].name)" }
      let reads = kernel.reads.map { buffers[$0].name }
      let threads = kernel.threads == nil ? "" : ", threads"
      lines.append(
        "# k\(k) \(kernel.kind.name) \(details(kernel.kind, graph))\(threads): "
          + written.joined(separator: ", ")
          + (reads.isEmpty ? "" : "; reads " + reads.joined(separator: ", ")))
    }
    for buffer in buffers {
      let place =
        switch buffer.place {
        case .input(let k): "input \(k)"
        case .output(let k): "output \(k)"
        case .arena(let offset): "in the arena at \(offset)"
        }
      lines.append("# \(buffer.name) \(buffer.type) \(place)")
    }
    return lines.map { $0 + "\n" }.joined()
  }

  /// What a kernel of this kind runs over.
  private func details(_ kind: KernelKind, _ graph: Graph) -> String {
    func shape(_ space: [Int]) -> String {
      "[" + space.map(String.init).joined(separator: ",") + "]"
    }
    switch kind {
    case .flat(let loop), .loopNest(let loop), .scatter(let loop):
      return "over \(shape(loop.space))"
    case .chunkedReduction(let chunked):
      return "over \(shape(chunked.loop.space)) in \(chunked.chunks) chunks"
    case .matmul(let p):
      let a = p.aTransposed ? "\(p.k)x\(p.n)^T" : "\(p.n)x\(p.k)"
      let b = p.bTransposed ? "\(p.m)x\(p.k)^T" : "\(p.k)x\(p.m)"
      let stack = p.batch > 1 ? "\(p.batch) of " : ""
      return stack + "\(a) @ \(b)" + (p.bias == nil ? "" : " + bias") + (p.blas ? ", BLAS" : "")
    case .axpy(let axpy):
      return "of \(axpy.count)"
    case .columnSums(let sum):
      return "of \(sum.rows)x\(sum.columns)"
    case .gather(let g), .scatterAdd(let g):
      return "of \(g.count) indices into \(g.outer)x\(g.size)x\(g.inner), status \(g.check + 1)"
    case .cumulativeSum(let scan):
      return "of \(scan.lines) lines of \(scan.length)" + (scan.reverse ? ", reversed" : "")
    case .allreduce(let sum):
      return "of \(sum.count), status \(CProgram.allreduceFailed)"
    }
  }
}

import GraphIR

/// The checked indexing kinds: `.gather` (`take`) and `.scatterAdd` (its transpose).
///
/// Both first check every index against `-size ..< size`; at the first one outside, they
/// write the index value and its position to the fault record and return the check's status
/// (`check + 1`) before touching any element, so a failed check reads and writes nothing
/// out of bounds and the entry stops at once. Then each index is counted from 0 (a negative
/// one from the end) and whole slices of `inner` elements move.
extension KernelWriter {
  /// `.gather`: `result[o, j, :] = source[o, idx[j], :]`; without a result, the check alone
  /// (the take's users read `source` in place).
  func writeGather(_ g: Gather, _ w: inout CWriter) {
    writeCheck(g, &w)
    guard let r = g.result else {
      w.line("return 0;")
      return
    }
    let (source, result) = (plan.buffers[g.source], plan.buffers[r])
    writeBlocks(g, &w) { j, v, w in
      moveSlice(
        g, from: (source, "(o * \(g.size) + \(v)) * \(g.inner)"),
        to: (result, "(o * \(g.count) + \(j)) * \(g.inner)"), "=", &w)
    }
    w.line("return 0;")
  }

  /// `.scatterAdd`: `result = 0`, then `result[o, idx[j], :] += source[o, j, :]` in order.
  func writeScatterAdd(_ g: Gather, _ w: inout CWriter) {
    guard let r = g.result else { preconditionFailure("codegen: a scatter-add without a result") }
    let (source, result) = (plan.buffers[g.source], plan.buffers[r])
    writeCheck(g, &w)
    let zero = CLiteral.number(0, result.type.dtype)
    w.line("for (long long e = 0; e < \(result.type.count); e++) \(result.name)[e] = \(zero);")
    writeBlocks(g, &w) { j, v, w in
      moveSlice(
        g, from: (source, "(o * \(g.count) + \(j)) * \(g.inner)"),
        to: (result, "(o * \(g.size) + \(v)) * \(g.inner)"), "+=", &w)
    }
    w.line("return 0;")
  }

  /// Copies (`=`) or adds (`+=`) one slice of `inner` elements from an offset of one buffer to
  /// an offset of another.
  private func moveSlice(
    _ g: Gather, from: (Buffer, String), to: (Buffer, String), _ operation: String,
    _ w: inout CWriter
  ) {
    w.line("const \(from.0.type.dtype.cName)* src = \(from.0.name) + \(from.1);")
    w.line("\(to.0.type.dtype.cName)* dst = \(to.0.name) + \(to.1);")
    w.line("for (long long t = 0; t < \(g.inner); t++) dst[t] \(operation) src[t];")
  }

  /// The check loop: every index in `-size ..< size`, else the fault record and the status.
  private func writeCheck(_ g: Gather, _ w: inout CWriter) {
    let indices = plan.buffers[g.indices].name
    w.block("for (long long j = 0; j < \(g.count); j++)") { w in
      w.line("const long long v = \(indices)[j];")
      w.block("if (v < -\(g.size) || v >= \(g.size))") { w in
        w.line("gc_fault[0] = v;")
        w.line("gc_fault[1] = j;")
        w.line("return \(g.check + 1);")
      }
    }
  }

  /// The loops over outer blocks `o` and indices `j`, with `v` the index counted from 0;
  /// `body` writes the slice move given the names of `j` and `v`.
  private func writeBlocks(
    _ g: Gather, _ w: inout CWriter, _ body: (String, String, inout CWriter) -> Void
  ) {
    let indices = plan.buffers[g.indices].name
    w.block("for (long long o = 0; o < \(g.outer); o++)") { w in
      w.block("for (long long j = 0; j < \(g.count); j++)") { w in
        w.line("const long long i = \(indices)[j];")
        w.line("const long long v = i < 0 ? i + \(g.size) : i;")
        body("j", "v", &w)
      }
    }
  }

}

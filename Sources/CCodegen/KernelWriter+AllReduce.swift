import GraphIR

/// The host's sum over ranks (`allreduce`), one kernel kind.
extension KernelWriter {
  /// `.allreduce`: copies the operand into the result buffer, then one call of the host's
  /// `gc_allreduce` sums that buffer over the ranks in place. Returns 0, or
  /// `CProgram.allreduceFailed` when the host reports a failure (the entry then stops).
  func writeAllReduce(_ sum: AllReduce, _ w: inout CWriter) {
    let (x, y) = (plan.buffers[sum.source].name, plan.buffers[sum.result].name)
    w.block("for (long long i = 0; i < \(sum.count); i++)") { w in w.line("\(y)[i] = \(x)[i];") }
    let code = sum.dtype == .f64 ? 1 : 0
    w.line(
      "return gc_allreduce(\(y), \(sum.count), \(code)) == 0 ? 0 : \(CProgram.allreduceFailed);")
  }
}

import GraphIR

/// Loops (`repeat`, `scan`), one kernel kind whose body is a program of its own.
extension KernelWriter {
  /// `.loop`: the carries copied into their first buffers, then `count` calls of the body's
  /// entry `body` (written before this kernel by `CEmitter.writeBody`, which takes each
  /// buffer as a parameter of its own), each on the current
  /// carries, row `t` of each scanned value and the captured values, writing the next carries
  /// and row `t` of each stacked result; the two buffers of each carry swap after every
  /// call, and the final carries are copied out. Only the loop's bound depends on the trip
  /// count.
  func writeLoop(_ loop: LoopKernel, body: String, _ w: inout CWriter) {
    let k = loop.carries
    func name(_ buffer: Int) -> String { plan.buffers[buffer].name }
    func copy(_ count: Int, from source: String, to target: String, _ w: inout CWriter) {
      w.line("for (long long gc_i = 0; gc_i < \(count); gc_i++) \(target)[gc_i] = \(source)[gc_i];")
    }
    /// `p3 + gc_t * 12`: the row of a scanned or stacked buffer that iteration `gc_t`
    /// addresses (`gc_r` in a reversed loop). The buffer may hold a reshape of the value
    /// (`[8, 3]` for a scanned `[4, 2, 3]`), so a row is its `count`-th part, not the product
    /// of its own axes after the first.
    func row(_ buffer: Int) -> String {
      let size = plan.buffers[buffer].type.count / max(loop.count, 1)
      return "\(name(buffer)) + \(loop.reverse ? "gc_r" : "gc_t") * \(size)"
    }
    for c in 0..<k {
      let type = plan.buffers[loop.alternating[c]].type
      w.line("\(type.dtype.cName)* gc_now\(c) = \(name(loop.alternating[c]));")
      w.line("\(type.dtype.cName)* gc_next\(c) = \(name(loop.alternating[k + c]));")
      copy(type.count, from: name(loop.operands[c]), to: "gc_now\(c)", &w)
    }
    let slices = loop.operands[k..<(k + loop.slices)].map(row)
    let captures = loop.operands[(k + loop.slices)...].map(name)
    let inputs = (0..<k).map { "gc_now\($0)" } + slices + captures
    let outputs = (0..<k).map { "gc_next\($0)" } + loop.results[k...].map(row)
    let parallel = kernel.kind.needsParallelFor ? CEmitter.parallelFor.arguments : []
    let arguments = inputs + outputs + [name(loop.arena)] + parallel
    let call = "\(body)(\(arguments.joined(separator: ", ")))"
    w.block("for (long long gc_t = 0; gc_t < \(loop.count); gc_t++)") { w in
      if loop.reverse { w.line("const long long gc_r = \(loop.count - 1) - gc_t;") }
      if let fault = loop.body.plan.faultOffset {
        // A failed index check in the body: its fault record, and its status among the
        // program's checks.
        w.line("int gc_status = \(call);")
        w.block("if (gc_status != 0)") { w in
          let record = "((long long*)((char*)\(name(loop.arena)) + \(fault)))"
          w.line("gc_fault[0] = \(record)[0];")
          w.line("gc_fault[1] = \(record)[1];")
          w.line("return gc_status + \(loop.firstCheck);")
        }
      } else {
        w.line("\(call);")
      }
      for c in 0..<k {
        let t = plan.buffers[loop.alternating[c]].type.dtype.cName
        w.line(
          "\(t)* gc_swap\(c) = gc_now\(c); gc_now\(c) = gc_next\(c); gc_next\(c) = gc_swap\(c);")
      }
    }
    for c in 0..<k {
      copy(
        plan.buffers[loop.results[c]].type.count, from: "gc_now\(c)", to: name(loop.results[c]), &w)
    }
    if loop.body.plan.faultOffset != nil { w.line("return 0;") }
  }
}

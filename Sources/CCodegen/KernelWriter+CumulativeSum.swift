import GraphIR

/// Running sums (`cumsum`), one kernel kind.
extension KernelWriter {
  /// `.cumulativeSum`: one loop over the lines (split by the caller's range when threads
  /// may), and along each line a double accumulator whose running total is stored at every
  /// element. Line `l` of `outer × length × inner` starts at `(l / inner) * length * inner +
  /// l % inner` and steps by `inner`; a reversed sum walks it from its end.
  func writeCumulativeSum(_ scan: CumulativeSum, _ w: inout CWriter) {
    let y = plan.buffers[scan.y].name
    let read: (String) -> String =
      switch scan.x {
      case .buffer(let b): { "\(plan.buffers[b].name)[\($0)]" }
      case .constant(let c): { _ in CLiteral.number(c, .f64) }
      }
    let (length, inner) = (scan.length, scan.inner)
    let base: String =
      if inner == 1 {
        length == 1 ? "l" : "l * \(length)"
      } else if scan.outer == 1 {
        "l"
      } else {
        "(l / \(inner)) * \(length * inner) + l % \(inner)"
      }
    let element = inner == 1 ? "base + k" : "base + k * \(inner)"
    let steps =
      scan.reverse
      ? "long long k = \(length - 1); k >= 0; k--" : "long long k = 0; k < \(length); k++"
    w.block("for (long long \(outerRange("l", scan.lines)); l++)") { w in
      w.line("const long long base = \(base);")
      w.line("double acc = 0.0;")
      w.block("for (\(steps))") { w in
        w.line("acc += \(read(element));")
        w.line("\(y)[\(element)] = \(scan.dtype == .f64 ? "" : "(\(scan.dtype.cName))")acc;")
      }
    }
  }
}

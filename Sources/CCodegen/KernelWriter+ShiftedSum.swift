import GraphIR

/// A shifted sum (see `ShiftedSum`) written by the loop over its operands' index space.
extension KernelWriter {
  /// In the loop body at `index`: the first term stored with `=`, then the others added
  /// with `+=`, each at its shifted element of the result. `ShiftedSum.ordered` explains why
  /// this order leaves every element the full sum.
  mutating func writeShiftedSum(_ sum: ShiftedSum, _ buffer: Buffer, _ index: IndexMapping) {
    for (t, term) in sum.terms.enumerated() {
      let v = value(term.node, index)
      let target = address(
        index.shifted(by: term.low, shape: sum.space).offset(in: buffer.type.shape))
      let operation = t == 0 ? "=" : "+="
      store(
        "\(buffer.name)[\(target)] \(operation) \(v);",
        notes(MemoKey(node: term.node, index: index)))
    }
  }

  /// Before the loop: zeroes the elements of each shifted sum that its first term does not
  /// store, that is, outside the box `low ..< low + space`. Rows (all axes but the last)
  /// inside the box need only their two ends cleared; rows outside it are cleared whole.
  func writeShiftedSumZeros(_ loop: Loop, _ w: inout CWriter) {
    for root in loop.roots {
      guard case .scatter(let sum) = root.store else { continue }
      let buffer = plan.buffers[root.buffer]
      let shape = buffer.type.shape
      let low = sum.terms[0].low
      let last = shape.count - 1
      let zero = CLiteral.number(0, buffer.type.dtype)
      func clear(_ range: Range<Int>, _ w: inout CWriter) {
        guard !range.isEmpty else { return }
        let offset = IndexMapping.nest("j", shape).offset(in: shape).text
        let loop =
          "for (long long j\(last) = \(range.lowerBound); j\(last) < \(range.upperBound); j\(last)++)"
        w.line("\(loop) \(buffer.name)[\(offset)] = \(zero);")
      }
      func rows(_ d: Int, inside: [String], _ w: inout CWriter) {
        guard d == last else {
          var conditions = inside
          if low[d] > 0 { conditions.append("j\(d) >= \(low[d])") }
          if low[d] + sum.space[d] < shape[d] {
            conditions.append("j\(d) < \(low[d] + sum.space[d])")
          }
          w.block("for (long long j\(d) = 0; j\(d) < \(shape[d]); j\(d)++)") { w in
            rows(d + 1, inside: conditions, &w)
          }
          return
        }
        let ends = { (w: inout CWriter) in
          clear(0..<low[last], &w)
          clear((low[last] + sum.space[last])..<shape[last], &w)
        }
        if inside.isEmpty {
          ends(&w)
        } else {
          w.block("if (\(inside.joined(separator: " && ")))") { w in ends(&w) }
          w.block("else") { w in clear(0..<shape[last], &w) }
        }
      }
      rows(0, inside: [], &w)
    }
  }
}

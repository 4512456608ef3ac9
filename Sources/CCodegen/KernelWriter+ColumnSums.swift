import GraphIR

/// Sums over leading axes (bias gradients) as a BLAS matrix-vector product.
extension KernelWriter {
  /// Rows of a column sum above this use the loop: the vector of ones lives on the stack.
  static let maximumColumnSumRows = 4096

  /// For a root `sum(x, axes: [0 ..< k])` (0 < k < rank of x) in a loop-nest kernel that also
  /// writes `x` whole to a buffer: that buffer's name and `x` as a matrix (leading axes by
  /// trailing axes). Nil for any other root, or without `blas`.
  func columnSumOperand(_ root: Root, in kernel: Kernel) -> (
    source: String, rows: Int, columns: Int
  )? {
    guard blas, !root.isCopy, kernel.chunks == 0, case .loop = kernel.kind,
      case .sum(let axes) = graph[root.node].op
    else { return nil }
    let operand = graph[root.node].inputs[0]
    let shape = graph[operand].type.shape
    guard !axes.isEmpty, axes.count < shape.count, axes == Array(0..<axes.count),
      let written = kernel.roots.first(where: { $0.node == operand && !$0.isCopy }),
      case .loop(let space) = kernel.kind, space == shape
    else { return nil }
    let rows = shape.prefix(axes.count).reduce(1, *)
    let columns = shape.dropFirst(axes.count).reduce(1, *)
    guard rows > 0, rows <= Self.maximumColumnSumRows, columns > 0 else { return nil }
    return (schedule.buffers[written.buffer].name, rows, columns)
  }

  /// After the loop nest has written the operands: each column sum as
  /// `y = Aᵀ · ones` (one `cblas_sgemv`/`cblas_dgemv` call), with A the operand's buffer.
  ///
  /// Under TinyCC the accumulation `y[j] += x` inside the loop nest costs about 6
  /// instructions per element (every index lives on the stack); OpenBLAS's vector kernel
  /// reads the buffer once at memory speed. The summation order is BLAS's, fixed for a
  /// given shape, so results are deterministic but may differ from the loop's in the last
  /// bits.
  func writeColumnSums(_ kernel: Kernel, _ w: inout CWriter) {
    let sums = kernel.roots.compactMap { root in
      columnSumOperand(root, in: kernel).map { (root, $0) }
    }
    for dtype in DType.allCases {
      let group = sums.filter { graph[$0.0.node].type.dtype == dtype }
      guard let rows = group.map(\.1.rows).max() else { continue }
      let one = CLiteral.number(1, dtype)
      let ones = "gc_ones_\(dtype)"
      let gemv = dtype == .f32 ? "cblas_sgemv" : "cblas_dgemv"
      w.line("/* column sums as (matrix transposed) times a vector of ones */")
      w.line("\(dtype.cName) \(ones)[\(rows)];")
      w.line("for (long long j = 0; j < \(rows); j++) \(ones)[j] = \(one);")
      for (root, operand) in group {
        let y = schedule.buffers[root.buffer].name
        w.line(
          "\(gemv)(101, 112, \(operand.rows), \(operand.columns), \(one), \(operand.source), "
            + "\(operand.columns), \(ones), 1, \(CLiteral.number(0, dtype)), \(y), 1);")
      }
    }
  }
}

import GraphIR

/// A lowering pass: hands the kernels BLAS does better to BLAS (OpenBLAS at run time).
///
/// Expects a plan from `Fusion` and a runtime that binds CBLAS (graphc's; not the standalone
/// export, which skips this pass). Guarantees:
/// - every `.matmul` kernel calls `cblas_?gemm` (transposed operands as flags);
/// - a `.flat` kernel whose only root is `a - b * s` (or `a - s * b`) with `a`, `b` stored
///   whole in the result's shape and `s` a literal or a stored one-element value becomes an
///   `.axpy` kernel (a gradient-descent step: TinyCC's scalar loop costs about 31
///   instructions per element, OpenBLAS's vector loop a few; W1's SGD updates run several
///   times faster; results may differ in the last bit, as axpy may fuse the multiply-add);
/// - a sum over the leading axes of a value that the same `.loopNest` kernel writes whole
///   (a bias gradient) moves to a `.columnSums` kernel right after it (`y = Aᵀ · ones`, one
///   `gemv`: under TinyCC the accumulation in the loop nest costs about 6 instructions per
///   element, OpenBLAS reads the buffer once at memory speed). A loop nest left with only
///   flat roots becomes `.flat`. BLAS's summation order is fixed for a shape, so results are
///   deterministic but may differ from the loop's in the last bits.
/// Kernels stay in dependency order. Linear in the kernels' roots.
public enum BLASKernels {
  /// Rows of a column sum above this use the loop: the vector of ones lives on the stack.
  public static let maximumColumnSumRows = 4096

  /// The plan with BLAS kernels.
  public static func run(_ graph: Graph, _ plan: Plan) -> Plan {
    var result = plan
    result.kernels = []
    for var kernel in plan.kernels {
      switch kernel.kind {
      case .matmul(var product):
        product.blas = true
        kernel.kind = .matmul(product)
        result.kernels.append(kernel)
      case .flat(let loop):
        if let axpy = axpy(graph, loop, plan) {
          let reads = [axpy.a, axpy.b] + (axpy.scale.buffer.map { [$0] } ?? [])
          kernel.kind = .axpy(axpy)
          kernel.reads = Set(reads).sorted()
        }
        result.kernels.append(kernel)
      case .loopNest(var loop):
        let sums = loop.roots.compactMap { columnSum(graph, $0, loop, plan) }
        guard !sums.isEmpty else {
          result.kernels.append(kernel)
          continue
        }
        let moved = Set(sums.map(\.y))
        loop.roots.removeAll { moved.contains($0.buffer) }
        let flat = loop.roots.allSatisfy(\.isFlat)
        kernel.kind = flat ? .flat(loop) : .loopNest(loop)
        kernel.writes.removeAll { moved.contains($0) }
        result.kernels.append(kernel)
        for sum in sums {
          result.kernels.append(Kernel(kind: .columnSums(sum), reads: [sum.x], writes: [sum.y]))
        }
      case .chunkedReduction, .scatter, .axpy, .columnSums, .gather, .scatterAdd, .cumulativeSum,
        .allreduce:
        result.kernels.append(kernel)
      }
    }
    return result
  }

  /// The axpy a flat kernel computes, if it is one.
  private static func axpy(_ graph: Graph, _ loop: Loop, _ plan: Plan) -> Axpy? {
    guard loop.roots.count == 1, loop.roots[0].store == .element else { return nil }
    let root = loop.roots[0]
    let node = graph[root.node]
    guard node.type.dtype.isFloat, case .sub = node.op, plan.bufferOf[node.inputs[1]] == nil,
      case .mul = graph[node.inputs[1]].op,
      let a = wholeBuffer(graph, node.inputs[0], node.type, plan)
    else { return nil }
    let factors = graph[node.inputs[1]].inputs
    for (b, s) in [(factors[0], factors[1]), (factors[1], factors[0])] {
      if let b = wholeBuffer(graph, b, node.type, plan), let s = scalar(graph, s, plan) {
        return Axpy(
          node: root.node, y: root.buffer, a: a, b: b, scale: s, count: node.type.count,
          dtype: node.type.dtype)
      }
    }
    return nil
  }

  /// The buffer of `id` when it is stored whole, in row-major order, with `type`.
  private static func wholeBuffer(
    _ graph: Graph, _ id: NodeID, _ type: TensorType, _ plan: Plan
  ) -> Int? {
    guard graph[id].type == type else { return nil }
    return plan.bufferOf[id]
  }

  /// A scalar operand: a literal, or a stored one-element value read through a broadcast.
  private static func scalar(_ graph: Graph, _ id: NodeID, _ plan: Plan) -> Scalar? {
    let node = graph[id]
    if let c = node.op.constantValue { return .literal(c) }
    guard case .broadcast = node.op else { return nil }
    let source = node.inputs[0]
    if let c = graph[source].op.constantValue { return .literal(c) }
    guard graph[source].type.count == 1, let b = plan.bufferOf[source] else { return nil }
    return .element(b)
  }

  /// For a root `sum(x, axes: [0 ..< k])` (0 < k < rank of x) of a loop nest over x's shape
  /// that also writes x whole: the column sum reading x's buffer.
  private static func columnSum(_ graph: Graph, _ root: Root, _ loop: Loop, _ plan: Plan)
    -> ColumnSum?
  {
    guard case .reduce(let reduction) = root.store, reduction.isSum,
      graph[root.node].type.dtype.isFloat
    else { return nil }
    let operand = graph[root.node].inputs[0]
    let shape = graph[operand].type.shape
    let axes = reduction.axes
    guard !axes.isEmpty, axes.count < shape.count, axes == Array(0..<axes.count),
      loop.space == shape,
      let written = loop.roots.first(where: { $0.node == operand && $0.store == .element })
    else { return nil }
    let rows = shape.prefix(axes.count).reduce(1, *)
    let columns = shape.dropFirst(axes.count).reduce(1, *)
    guard rows > 0, rows <= maximumColumnSumRows, columns > 0 else { return nil }
    return ColumnSum(
      node: root.node, y: root.buffer, x: written.buffer, rows: rows, columns: columns,
      dtype: graph[root.node].type.dtype)
  }
}

extension Scalar {
  /// The buffer a scalar reads, if any.
  var buffer: Int? {
    if case .element(let b) = self { return b }
    return nil
  }
}

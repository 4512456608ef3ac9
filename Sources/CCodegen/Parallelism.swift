import GraphIR

/// A lowering pass: which kernels the caller's parallel-for may split across threads.
///
/// Expects a plan with its final kernel kinds. Guarantees that `threads` is set, to the
/// extent of the outermost loop, exactly on kernels whose outer iterations are independent
/// (no two write the same element) and that do at least `minimumWork`: matmul rows, flat
/// loops and axpy updates without reductions, the chunks of a chunked reduction (each writes
/// its own partial results), and loop nests whose reductions all keep the outermost axis (a
/// local accumulator per outer iteration), and the lines of running sums. Scatters, column
/// sums, gathers and scatter-adds (which stop at the first bad index) always run whole.
/// Results do not depend on how ranges are split. Linear.
public enum Parallelism {
  /// Kernels doing less work than this (loop iterations, or multiply-adds for a matmul)
  /// always run on the calling thread: splitting them costs more than it saves.
  public static let minimumWork = 1 << 15

  /// The plan with its splittable kernels marked.
  public static func run(_ plan: Plan) -> Plan {
    var result = plan
    for k in result.kernels.indices {
      let kernel = result.kernels[k]
      guard let extent = splittableExtent(kernel.kind), extent > 1, work(kernel.kind) >= minimumWork
      else { continue }
      result.kernels[k].threads = extent
    }
    return result
  }

  /// The extent of the kernel's outermost loop when its iterations are independent, else nil.
  static func splittableExtent(_ kind: KernelKind) -> Int? {
    switch kind {
    case .matmul(let product): product.batch > 1 ? product.batch : product.n
    case .chunkedReduction(let chunked): chunked.chunks
    case .axpy(let axpy): axpy.count
    case .scatter, .columnSums, .gather, .scatterAdd, .allreduce: nil
    case .cumulativeSum(let scan): scan.lines
    case .flat(let loop):
      loop.roots.allSatisfy({ !$0.isReduction }) ? loop.space.reduce(1, *) : nil
    case .loopNest(let loop):
      loop.space.isEmpty || !loop.roots.allSatisfy(keepsOuterAxis) ? nil : loop.space[0]
    }
  }

  /// True unless the root is a reduction over the outermost axis, or one that accumulates
  /// in its buffer.
  private static func keepsOuterAxis(_ root: Root) -> Bool {
    guard case .reduce(let reduction) = root.store else { return true }
    return !reduction.axes.contains(0) && reduction.localFrom != nil
  }

  /// Total work of a kernel, to compare with `minimumWork`.
  static func work(_ kind: KernelKind) -> Int {
    switch kind {
    case .matmul(let product): product.batch * product.n * product.k * product.m
    case .flat(let loop), .loopNest(let loop), .scatter(let loop): loop.space.reduce(1, *)
    case .chunkedReduction(let chunked): chunked.loop.space.reduce(1, *)
    case .axpy(let axpy): axpy.count
    case .columnSums(let sum): sum.rows * sum.columns
    case .gather(let g), .scatterAdd(let g): g.outer * g.count * g.inner
    case .cumulativeSum(let scan): scan.lines * scan.length
    case .allreduce(let sum): sum.count
    }
  }
}

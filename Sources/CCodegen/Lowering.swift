import GraphIR

/// How a graph becomes a plan of kernels: the lowering passes in order.
///
/// | pass | what it decides |
/// |---|---|
/// | `StoredValues.find` | which values get buffers (and shifted sums, biased products) |
/// | `Fusion.run` | kernels of kind flat, loop nest, scatter or matmul, and buffers |
/// | `BLASKernels.run` | BLAS matmuls, axpy updates, column sums (unless `blas` is off) |
/// | `ReductionChunking.run` | big flat reductions in fixed chunks |
/// | `Parallelism.run` | which kernels threads may split (unless `threads` is off) |
/// | `ArenaPlan.pack` | arena offsets: buffers with disjoint lifetimes share memory |
///
/// Each pass states what it expects and guarantees in its own file.
public enum Lowering {
  /// The plan for a verified graph.
  public static func plan(_ graph: Graph, options: CodegenOptions) -> Plan {
    let stored = StoredValues.find(graph)
    // A loop body is a program of its own, lowered alike: its iterations run in order, and
    // threads may split each of its kernels as they split the program's.
    var plan = Fusion.run(graph, stored) { Lowering.plan($0, options: options) }
    if options.blas { plan = BLASKernels.run(graph, plan) }
    plan = ReductionChunking.run(plan)
    if options.threads { plan = Parallelism.run(plan) }
    return ArenaPlan.pack(plan)
  }
}

import GraphIR

/// Which kernels a thread pool may split, and over how many outer iterations.
enum Parallelism {
  /// Kernels doing less work than this (loop iterations, or multiply-adds for a matmul)
  /// always run on the calling thread: splitting them costs more than it saves.
  static let minimumWork = 1 << 15

  /// The extent of the kernel's outermost loop when its iterations are independent, else nil.
  ///
  /// Independent means no two outer iterations write the same element: true for matmul
  /// rows, for flat loops without reductions, for the chunks of a chunked reduction (each
  /// writes its own partial results), and for loop nests that write no shifted sum and whose
  /// reductions all keep the outermost axis (a local accumulator per outer iteration).
  static func splittableExtent(_ graph: Graph, _ kernel: Kernel) -> Int? {
    switch kernel.kind {
    case .matmul:
      return graph[kernel.roots[0].node].type.shape[0]
    case .loop(let space):
      if kernel.chunks > 0 { return kernel.chunks }
      guard !space.isEmpty, !kernel.scatters else { return nil }
      let reductions = kernel.roots.filter {
        !$0.isCopy && graph[$0.node].op.facts.reductionAxes != nil
      }
      if kernel.isFlat { return reductions.isEmpty ? space.reduce(1, *) : nil }
      let keepsOuterAxis = reductions.allSatisfy { root in
        let node = graph[root.node]
        let rank = graph[node.inputs[0]].type.rank
        let axes = node.op.facts.reductionAxes ?? []
        return !axes.contains(0) && axes == Array((rank - axes.count)..<rank)
      }
      return keepsOuterAxis ? space[0] : nil
    }
  }

  /// Total work of a kernel, to compare with `minimumWork`.
  static func work(_ graph: Graph, _ kernel: Kernel) -> Int {
    switch kernel.kind {
    case .matmul:
      let node = graph[Schedule.productNode(graph, kernel.roots[0].node)]
      return graph[node.inputs[0]].type.count * graph[node.inputs[1]].type.shape[1]
    case .loop(let space):
      return space.reduce(1, *)
    }
  }
}

import GraphIR

/// Where a materialised tensor lives while the program runs.
public enum BufferPlace: Hashable, Sendable {
  /// The caller's buffer for argument `k` (the k-th of `graph.arguments`).
  case input(Int)
  /// The caller's buffer for output `k` (the k-th of `graph.outputs`).
  case output(Int)
  /// Inside the arena, `offset` bytes from its start (a multiple of 64).
  case arena(offset: Int)
}

/// One run-time buffer: its C pointer name, its place and the tensor it holds.
public struct Buffer: Hashable, Sendable {
  /// `p12` for node 12's values, `out3` for a copy into output 3, `part4` for kernel 4's
  /// partial sums.
  public var name: String
  /// Where the buffer lives.
  public var place: BufferPlace
  /// The tensor it holds.
  public var type: TensorType
}

/// The complete lowering of a graph: every buffer, and every kernel with everything the C
/// writer needs to know to render it. Passes (see `Pipeline.lower`) produce it; the writer
/// decides nothing.
public struct Plan: Sendable {
  /// True when a kernel threads may split runs in this program, directly or in a loop's
  /// body: its entry then takes the caller's parallel-for (see `CEmitter.parallelFor`).
  public var usesParallelFor: Bool {
    kernels.contains { $0.threads != nil || $0.kind.needsParallelFor }
  }

  /// Every buffer: inputs, outputs, arena tensors and partial results.
  public var buffers: [Buffer]
  /// The buffer holding each materialised node (a reshape of a buffer shares its operand's).
  public var bufferOf: [NodeID: Int]
  /// Kernels in execution order.
  public var kernels: [Kernel]
  /// Bytes of scratch memory the program needs for intermediates (and the fault record).
  public var arenaBytes: Int
  /// The run-time index checks of the `.gather` and `.scatterAdd` kernels: when check `k`
  /// fails, the entry returns status `k + 1` (0 is success) and leaves the fault record.
  public var checks: [IndexCheck] = []
  /// Where in the arena a failed check leaves its fault record, two `long long`s: the index
  /// value and its row-major position in the index tensor (set by `ArenaPlan` when there are
  /// checks; the record lies outside every buffer).
  public var faultOffset: Int? = nil
}

/// What an index check tests, for the error message of a failed one.
public struct IndexCheck: Hashable, Sendable {
  /// The language function whose indices these are.
  public var caller: IndexCaller
  /// The indexed axis and its extent: valid indices are `-size ..< size`.
  public var axis: Int
  public var size: Int
  /// The shape of the index tensor, to turn a row-major position into coordinates.
  public var indexShape: [Int]
}

/// One kernel: a C function of a named kind, and the buffers it reads and writes.
public struct Kernel: Hashable, Sendable {
  /// What the kernel computes and how its C looks.
  public var kind: KernelKind
  /// Buffers read (sorted indices into `Plan.buffers`).
  public var reads: [Int]
  /// Buffers written (sorted).
  public var writes: [Int]
  /// When set, the entry hands the kernel to the caller's parallel-for over this many
  /// independent outer iterations; else the kernel runs whole on the calling thread.
  public var threads: Int? = nil
}

/// The kinds of kernel. Each has one writer in `KernelWriter` and one golden file in
/// `Tests/CCodegenTests/Golden/`.
public enum KernelKind: Hashable, Sendable {
  /// One flat loop over `count` elements, every access at the loop's own offset (or a
  /// single element): elementwise stores and copies, and full reductions into locals.
  case flat(Loop)
  /// A flat loop holding full reductions, run in fixed-size chunks that each leave partial
  /// results, then combined in chunk order (so threads may share the chunks).
  case chunkedReduction(ChunkedLoop)
  /// Nested loops over `space`: stores at computed offsets and reductions over any axes.
  case loopNest(Loop)
  /// Nested loops over the operands' space that scatter shifted sums into place (each
  /// iteration writes elements of others, so it runs in order on one thread).
  case scatter(Loop)
  /// `C = A B` (plus a bias row), by BLAS or by loops.
  case matmul(MatrixProduct)
  /// `y = a - b * s` as a BLAS copy and axpy.
  case axpy(Axpy)
  /// A sum over leading axes as a BLAS matrix-vector product with a vector of ones.
  case columnSums(ColumnSum)
  /// `take`: checks every index, then copies the indexed slices (returns a status).
  case gather(Gather)
  /// The transpose of `take`: checks every index, zeroes the result, then adds each slice
  /// into its indexed place in index order, on one thread (returns a status).
  case scatterAdd(Gather)
  /// Running sums along one axis: one loop over the lines, each summed in order.
  case cumulativeSum(CumulativeSum)
  /// Copies a buffer, then has the host sum the copy over the ranks in place (one call of
  /// `gc_allreduce`; returns a status).
  case allreduce(AllReduce)
  /// A loop node: a C `for` over the iterations around a call of the body's own program.
  case loop(LoopKernel)

  /// The kind's name, as `graphc ir` prints it and golden files are named.
  public var name: String {
    switch self {
    case .flat: "flat"
    case .chunkedReduction: "chunked-reduction"
    case .loopNest: "loop-nest"
    case .scatter: "scatter"
    case .matmul: "matmul"
    case .axpy: "axpy"
    case .columnSums: "column-sums"
    case .gather: "gather"
    case .scatterAdd: "scatter-add"
    case .cumulativeSum: "cumulative-sum"
    case .allreduce: "allreduce"
    case .loop: "loop"
    }
  }

  /// True for the kinds that check indices and return a status.
  public var isChecked: Bool {
    switch self {
    case .gather, .scatterAdd: true
    case .loop(let loop): !loop.body.plan.checks.isEmpty
    case .flat, .chunkedReduction, .loopNest, .scatter, .matmul, .axpy, .columnSums,
      .cumulativeSum, .allreduce:
      false
    }
  }

  /// True for a loop whose body (or a loop inside it) has kernels threads may split: the
  /// loop's kernel takes the caller's parallel-for and passes it to the body.
  public var needsParallelFor: Bool {
    guard case .loop(let loop) = self else { return false }
    return loop.body.plan.usesParallelFor
  }

  /// True for the kinds that return a status: the checked ones, and the host's allreduce
  /// (whose failure is `CProgram.allreduceFailed`).
  public var returnsStatus: Bool {
    if case .allreduce = self { return true }
    return isChecked
  }
}

/// A loop over an index space and the values it stores.
public struct Loop: Hashable, Sendable {
  /// The index space (for a flat loop, the shape whose element count it runs over).
  public var space: [Int]
  /// The values written, in emission order.
  public var roots: [Root]
}

/// A chunked flat loop: `loop` split into `chunks` runs of `Plan.reductionChunk` iterations.
public struct ChunkedLoop: Hashable, Sendable {
  /// The flat loop.
  public var loop: Loop
  /// How many chunks.
  public var chunks: Int
  /// The f64 buffer of partial results, `chunks × reductions` values.
  public var partials: Int
}

/// A value a loop writes, and how.
public struct Root: Hashable, Sendable {
  /// The node whose value is written.
  public var node: NodeID
  /// Index into `Plan.buffers`.
  public var buffer: Int
  /// How the value reaches the buffer.
  public var store: Store
  /// True when every access of the root's expression is at the loop's own row-major offset.
  var isFlat: Bool = false
}

extension Root {
  /// True for a root stored as a reduction.
  var isReduction: Bool {
    if case .reduce = store { return true }
    return false
  }
}

/// How a loop writes a root.
public enum Store: Hashable, Sendable {
  /// The node's value, computed at the loop's element.
  case element
  /// A value stored elsewhere (or a constant), copied into an output buffer.
  case copy
  /// A reduction of the node's operand, which the loop runs over.
  case reduce(Reduction)
  /// A shifted sum of the loop's values, each added at its shifted element.
  case scatter(ShiftedSum)
}

/// A sum or maximum over some axes of the loop's space.
public struct Reduction: Hashable, Sendable {
  /// Sum (accumulated in f64) or maximum.
  public var isSum: Bool
  /// The reduced axes.
  public var axes: [Int]
  /// When the reduced axes are the trailing ones from this axis on, the accumulator is a
  /// local declared outside that loop level; nil: the buffer accumulates, zeroed first.
  public var localFrom: Int?
}

/// A matrix product `C = A B + bias` with A n×k and B k×m, or `batch` such products of
/// matrices stored one after the other (a stack; no bias then).
public struct MatrixProduct: Hashable, Sendable {
  /// The node stored (the product, or the add of a biased product).
  public var node: NodeID
  /// Buffers of A and B, each read through a transpose flag when transposed.
  public var a: Int
  public var aTransposed: Bool
  public var b: Int
  public var bTransposed: Bool
  /// The result buffer.
  public var c: Int
  /// The bias row's buffer, when the product is stored with its bias added.
  public var bias: Int?
  /// How many matrices in the stack (1 for a plain product).
  public var batch: Int
  public var n: Int
  public var k: Int
  public var m: Int
  public var dtype: DType
  /// One call to `cblas_?gemm`, else portable loops.
  public var blas: Bool
}

/// `y = a - b * s` over whole buffers, with `s` a scalar.
public struct Axpy: Hashable, Sendable {
  public var node: NodeID
  public var y: Int
  public var a: Int
  public var b: Int
  public var scale: Scalar
  public var count: Int
  public var dtype: DType
}

/// A scalar operand: a literal, or element 0 of a one-element buffer.
public enum Scalar: Hashable, Sendable {
  case literal(Double)
  case element(Int)
}

/// A `take` or its transpose, as blocks: the indexed tensor is `outer × size × inner`
/// elements and the other `outer × count × inner`, with `count` indices. For `.gather`,
/// `result[o, j, t] = source[o, idx[j], t]`; for `.scatterAdd`, `result` (the indexed
/// tensor) is zeroed, then `result[o, idx[j], t] += source[o, j, t]` in row-major order.
/// Every index is checked against `-size ..< size` before any element is written; a negative
/// one counts from the end.
public struct Gather: Hashable, Sendable {
  public var node: NodeID
  public var source: Int
  public var indices: Int
  /// The buffer written; nil for a `take` read in place by the kernels that use it, whose
  /// kernel only checks the indices.
  public var result: Int?
  public var outer: Int
  public var size: Int
  public var count: Int
  public var inner: Int
  /// Index into `Plan.checks`.
  public var check: Int
}

/// `y = sum(x, axes: 0 ..< leading)`, read from x's buffer as a rows × columns matrix.
public struct ColumnSum: Hashable, Sendable {
  public var node: NodeID
  public var y: Int
  public var x: Int
  public var rows: Int
  public var columns: Int
  public var dtype: DType
}

/// `y = cumsum(x)` along the middle axis of x viewed as `outer × length × inner`: each of the
/// `outer * inner` lines is summed in order (from its end when `reverse`), in double, and
/// each running total stored in `dtype`. Linear in the elements.
public struct CumulativeSum: Hashable, Sendable {
  /// What is summed: a buffer, or a constant filling every element.
  public enum Source: Hashable, Sendable {
    case buffer(Int)
    case constant(Double)
  }

  public var node: NodeID
  public var y: Int
  public var x: Source
  public var outer: Int
  public var length: Int
  public var inner: Int
  public var reverse: Bool
  public var dtype: DType

  /// The number of independent lines.
  public var lines: Int { outer * inner }
}

/// `result = source`, then `gc_allreduce(result, count, dtype)`: the host replaces the
/// copy by its sum over the ranks (in one process, it leaves it).
public struct AllReduce: Hashable, Sendable {
  public var node: NodeID
  public var source: Int
  public var result: Int
  public var count: Int
  public var dtype: DType
}

extension Kernel {
  /// The values the kernel writes: each node and its buffer.
  public var results: [(node: NodeID, buffer: Int)] {
    switch kind {
    case .flat(let loop), .loopNest(let loop), .scatter(let loop):
      loop.roots.map { ($0.node, $0.buffer) }
    case .chunkedReduction(let chunked): chunked.loop.roots.map { ($0.node, $0.buffer) }
    case .matmul(let product): [(product.node, product.c)]
    case .axpy(let axpy): [(axpy.node, axpy.y)]
    case .columnSums(let sum): [(sum.node, sum.y)]
    case .gather(let g), .scatterAdd(let g): g.result.map { [(g.node, $0)] } ?? []
    case .cumulativeSum(let scan): [(scan.node, scan.y)]
    case .allreduce(let sum): [(sum.node, sum.result)]
    case .loop(let loop):
      zip(loop.resultNodes, loop.results).compactMap { node, buffer in
        node.map { ($0, buffer) }
      }
    }
  }
}

/// A loop node's kernel: the iterations as a C `for` around a call of the body's program
/// (its own plan, rendered before the kernel as functions of its own).
///
/// Iteration `t` passes the body's entry the current carries, row `t` of each scanned value
/// and the captured values, and has it write the next carries and row `t` of each stacked
/// result. Carries live in two buffers each that the iterations alternate between: the
/// initial carries are copied into the first, the final ones out of whichever holds them. The
/// C does not depend on the trip count except for the loop's bound.
public struct LoopKernel: Hashable, Sendable {
  /// The loop node.
  public var node: NodeID
  /// The trip count, and how many carries and scanned values.
  public var count: Int
  public var carries: Int
  public var slices: Int
  /// True when iteration `t` addresses row `count - 1 - t` (see `GraphLoop.reverse`).
  public var reverse: Bool
  /// The body's program.
  public var body: LoopProgram
  /// The operands' buffers: initial carries, scanned values, captured values.
  public var operands: [Int]
  /// The results' buffers: final carries, then the stacked per-step values.
  public var results: [Int]
  /// The `result` node of each result, where the graph has one.
  public var resultNodes: [NodeID?]
  /// The two buffers of each carry: all the first ones, then all the second ones.
  public var alternating: [Int]
  /// The body's scratch memory.
  public var arena: Int
  /// The body's index checks are the plan's checks from this one on (`Plan.checks`): a
  /// body's failed check `k` is the loop's `firstCheck + k`.
  public var firstCheck = 0

  /// Every buffer the kernel writes.
  public var writes: [Int] { results + alternating + [arena] }
}

/// A loop body's graph and the plan that lowers it, compared by the body alone (the plan is
/// a function of it).
public struct LoopProgram: Hashable, Sendable {
  public let body: LoopBody
  public let plan: Plan

  public var graph: Graph { body.graph }

  public static func == (a: LoopProgram, b: LoopProgram) -> Bool { a.body == b.body }
  public func hash(into hasher: inout Hasher) { hasher.combine(body) }
}

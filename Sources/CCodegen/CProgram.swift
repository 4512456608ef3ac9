import GraphIR

/// How to write C for a graph.
public struct CodegenOptions: Hashable, Sendable {
  /// Comments naming each root and each local's op and label.
  public var annotate: Bool
  /// Matrix products, axpy updates and column sums call CBLAS (which the runtime must
  /// supply); without, they are portable loops.
  public var blas: Bool
  /// Big kernels with independent outer iterations go through the caller's parallel-for.
  public var threads: Bool

  /// Options; by default annotated, with BLAS and threads.
  public init(annotate: Bool = true, blas: Bool = true, threads: Bool = true) {
    self.annotate = annotate
    self.blas = blas
    self.threads = threads
  }
}

/// One argument or result of a compiled graph, in the order `gc_entry` expects it.
public struct CBinding: Hashable, Sendable {
  /// The user's name (an input, param or output name).
  public var name: String
  /// The value's dtype and shape.
  public var type: TensorType
  /// The node that supplies (inputs) or produces (outputs) the value.
  public var node: NodeID
  /// True for a param.
  public var isParam: Bool
}

/// A generated C program and what a runtime needs to call it.
///
/// The entry point is
/// ```c
/// int gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena,
///              gc_parallel_for gc_par, void* gc_par_ctx);
/// ```
/// It returns 0 on success. A non-zero status `k` means index check `k - 1` of the plan
/// (`plan.checks`) failed: an index out of range, whose value and row-major position in the
/// index tensor are the two `long long`s at `gc_arena + plan.faultOffset`; the outputs are
/// then incomplete and must not be used. Status `allreduceFailed` (-1) means the host's
/// `gc_allreduce` (see the prelude) reported a failure; the outputs are then incomplete too.
/// `gc_in[k]` points to the k-th argument (`inputs[k]`: inputs and params in declaration
/// order), `gc_out[k]` to the k-th output (`outputs[k]`), each a dense row-major array of
/// `float` (f32), `double` (f64), `int` (i32) or `long long` (i64). `gc_arena` is scratch memory of `arenaBytes` bytes,
/// aligned to at least 8 bytes (may be NULL when `arenaBytes` is 0). Outputs must not
/// overlap inputs or each other. `gc_par` (see the prelude) may split big kernels whose
/// outer iterations are independent across threads, calling `k(b, lo, hi)` on disjoint
/// ranges covering `[0, n)` and returning when all are done; NULL runs everything on the
/// calling thread. The function keeps no state, so concurrent calls with distinct outputs
/// and arenas are safe. Results do not depend on how ranges are split.
public struct CProgram: Sendable {
  /// The entry's status when the host's `gc_allreduce` failed.
  public static let allreduceFailed = -1

  /// The complete C text: a comment naming inputs and outputs, the parts of the prelude the
  /// program uses, kernels, entry point.
  public var source: String
  /// `source` for a build that puts `kernels/fastmath.h` in front (graphc's cc backend): its
  /// prelude takes the fast versions of exp, log and tanh.
  public var fastMathSource: String {
    header + Prelude.text(for: body, fastMath: true) + body
  }
  /// The comment naming inputs and outputs that starts `source`.
  public var header: String
  /// The kernels and the entry point: `source` without the prelude.
  public var body: String
  /// The name of the entry function (`gc_entry`).
  public var entry: String
  /// Inputs and params, in `gc_in` order.
  public var inputs: [CBinding]
  /// Outputs, in `gc_out` order.
  public var outputs: [CBinding]
  /// Number of kernel functions.
  public var kernelCount: Int
  /// Scratch bytes the caller must provide.
  public var arenaBytes: Int
  /// The plan the C was written from.
  public var plan: Plan
}

/// A graph the C emitter cannot translate.
public enum CodegenError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A standalone export name that is not a C identifier.
  case invalidName(String)
  /// A graph that fails verification.
  case invalidGraph(String)

  public var description: String {
    switch self {
    case .invalidName(let name):
      "'\(CLiteral.comment(name))' is not a valid name for C export: use letters, digits and "
        + "'_', starting with a letter or '_' (at most 48 characters)"
    case .invalidGraph(let problem):
      "the graph is not valid: \(problem)"
    }
  }
}

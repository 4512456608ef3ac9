/// Which C compiler turns generated C into machine code.
public enum Backend: String, Hashable, Sendable, CaseIterable {
  /// TinyCC, in-process: compiles in about a millisecond, runs like gcc -O0.
  case tcc
  /// The system C compiler (`$CC`, else clang, else cc) with `-O3 -march=native`, vectorised
  /// exp/log/tanh and a cached shared library (see `SystemCC`): slow to compile the first
  /// time (0.1 to 1 s), fastest to run. Falls back to TinyCC with one warning on stderr
  /// when the compiler or the cache folder does not work. A cache entry that is damaged,
  /// foreign or not a file is never loaded nor deleted: the graph is built privately, with
  /// one warning.
  case cc
  /// Starts on TinyCC and builds the cc version in the background; calls switch to it
  /// (atomically, never blocking) once it is ready. Falls back like `cc`.
  case tiered
}

/// How `Pipeline.compile` builds a graph.
public struct CompileOptions: Hashable, Sendable {
  /// The C compiler (TinyCC by default).
  public var backend: Backend
  /// Threads a call may use: big kernels whose outer iterations are independent
  /// (elementwise loops, row reductions, matmul rows, chunks of full reductions) are split
  /// into that many ranges. Elementwise work and reductions give identical results for
  /// every thread count (full reductions are summed in fixed-size chunks whose partial
  /// results are combined in a fixed order). A matrix product split by rows may differ in
  /// the last bits from the unsplit one, as BLAS rounds its edge rows differently. Each
  /// BLAS call runs on one thread unless `OPENBLAS_NUM_THREADS` is set (see `NativeSymbols`).
  public var threads: Int
  /// Seed of random param initialisers.
  public var seed: UInt64
  /// Comments in the generated C naming each op and label (slower to compile, easier to read).
  public var annotate: Bool

  /// Options; the defaults are TinyCC, one thread, seed 0, no annotations.
  public init(backend: Backend = .tcc, threads: Int = 1, seed: UInt64 = 0, annotate: Bool = false) {
    self.backend = backend
    self.threads = threads
    self.seed = seed
    self.annotate = annotate
  }
}

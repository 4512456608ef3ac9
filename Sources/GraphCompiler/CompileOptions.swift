/// Which C compiler turns generated C into machine code.
public enum Backend: String, Hashable, Sendable, CaseIterable {
  /// TinyCC, in-process: compiles in about a millisecond, runs like gcc -O0.
  case tcc
  /// The system C compiler with optimisation (not yet available: compiling throws).
  case cc
}

/// How `Pipeline.compile` builds a graph.
public struct CompileOptions: Hashable, Sendable {
  /// The C compiler (TinyCC by default).
  public var backend: Backend
  /// Threads a call may use: big kernels whose outer iterations are independent
  /// (elementwise loops, row reductions, matmul rows) are split into that many ranges.
  /// Results are identical for every thread count.
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

import CCodegen
import Foundation
import GraphIR

/// The whole compiler as a plain list of calls:
///
/// 1. `optimize`: `Simplify.run` (rewrites, common subexpressions, dead code);
/// 2. `Lowering.plan`: the lowering passes `StoredValues.find` (what gets a buffer),
///    `Fusion.run` (kernels and their kinds), `BLASKernels.run`, `ReductionChunking.run`,
///    `Parallelism.run` and `ArenaPlan.pack` (arena offsets), giving a `Plan`;
/// 3. `CEmitter.emit`: the C text of the plan, one writer per kernel kind;
/// 4. a `CodeBackend`: `TinyCCBackend` (in-process), `SystemCCBackend` (a cached shared
///    library) or `TieredBackend` (both), giving a callable `CompiledGraph`.
///
/// In debug builds the verifier runs between passes.
public enum Pipeline {
  /// Simplification, common subexpressions and dead code.
  public static func optimize(_ graph: Graph) -> Graph {
    verify(graph, after: "input")
    let simplified = Simplify.run(graph)
    verify(simplified, after: "simplify")
    return simplified
  }

  /// Optimises `graph`, writes its C and compiles it into a callable `CompiledGraph`.
  public static func compile(_ graph: Graph, options: CompileOptions = .init()) throws
    -> CompiledGraph
  {
    try compile(graph, options: options, systemCC: .current)
  }

  /// `compile` with an explicit system compiler and cache folder (instead of the
  /// environment's).
  static func compile(
    _ graph: Graph, options: CompileOptions, systemCC: SystemCC.Configuration
  ) throws -> CompiledGraph {
    let optimized = optimize(graph)
    let program = try emit(optimized, CodegenOptions(annotate: options.annotate))
    return try options.backend.implementation(systemCC).build(optimized, program, options)
  }

  /// The C for `graph`: the program text (with `header == nil`; with `annotate`, comments
  /// name each op and calculus rule), or with `standalone` a `.h`/`.c` pair exporting
  /// `gc_<name>_run` (see `CEmitter.emitStandalone`).
  public static func emitC(
    _ graph: Graph, standalone: Bool = false, name: String = "graph", annotate: Bool = true
  ) throws -> EmittedC {
    let optimized = optimize(graph)
    if standalone {
      let (header, source) = try CEmitter.emitStandalone(optimized, name: name)
      return EmittedC(header: header, source: source)
    }
    let program = try emit(optimized, CodegenOptions(annotate: annotate))
    return EmittedC(header: nil, source: program.source)
  }

  /// The optimised graph as IR text, and its compiled plan (what
  /// `graphc ir` prints).
  public static func listing(_ graph: Graph) throws -> Listing {
    let optimized = optimize(graph)
    let program = try emit(optimized, CodegenOptions(annotate: false))
    return Listing(
      ir: optimized.text, plan: program.plan.text(optimized), kernelCount: program.kernelCount,
      arenaBytes: program.arenaBytes)
  }

  /// Lowers an optimised graph to a plan and writes its C.
  static func emit(_ optimized: Graph, _ options: CodegenOptions) throws -> CProgram {
    if let problem = Verifier.check(optimized) { throw CodegenError.invalidGraph(problem) }
    let plan = Lowering.plan(optimized, options: options)
    return CEmitter.emit(optimized, plan: plan, options: options)
  }

  private static func verify(_ graph: Graph, after pass: String) {
    #if DEBUG
      Verifier.verify(graph, after: pass)
    #endif
  }
}

/// The optimised IR of a graph and its compiled plan.
public struct Listing: Hashable, Sendable {
  /// The IR text, one node per line.
  public var ir: String
  /// The plan, as comment lines: each kernel's kind, nodes and buffers, then each buffer.
  public var plan: String
  /// How many kernels the C has.
  public var kernelCount: Int
  /// Bytes of intermediate buffers (the arena).
  public var arenaBytes: Int
}

/// Generated C text: a source file and, for a standalone export, its header.
public struct EmittedC: Hashable, Sendable {
  /// The `.h` of a standalone export, else nil.
  public var header: String?
  /// The `.c` text.
  public var source: String
}

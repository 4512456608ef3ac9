import CCodegen
import GraphIR

/// How a compiled graph gets its machine code: one implementation per `Backend` case, each
/// in its own file (`TinyCCBackend`, `SystemCCBackend`, `TieredBackend`).
protocol CodeBackend {
  /// Compiles `program`, written for the optimised `graph`, into a callable graph. Problems
  /// the caller should hear about but that do not stop the build go to its `warnings`.
  func build(_ graph: Graph, _ program: CProgram, _ options: CompileOptions) throws
    -> CompiledGraph
}

extension Backend {
  /// The implementation of this backend, with the system compiler `systemCC` for cc builds.
  func implementation(_ systemCC: SystemCC.Configuration) -> any CodeBackend {
    switch self {
    case .tcc: TinyCCBackend()
    case .cc: SystemCCBackend(systemCC: systemCC)
    case .tiered: TieredBackend(systemCC: systemCC)
    }
  }
}

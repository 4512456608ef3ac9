import CCodegen
import GraphIR

/// The system C compiler with optimisation, building a cached shared library (see
/// `SystemCC`). When the compiler or the cache fails, the program runs on TinyCC instead,
/// with a warning: the C is valid, so such a failure is the tool's or the cache's.
struct SystemCCBackend: CodeBackend {
  let systemCC: SystemCC.Configuration

  func build(_ graph: Graph, _ program: CProgram, _ options: CompileOptions) throws
    -> CompiledGraph
  {
    // The library links OpenBLAS itself, and binds no symbols through `NativeSymbols`: set
    // up BLAS's threads here too, or a process that only ever uses this backend would run
    // every product on all cores while the caller's thread spins in `sched_yield`.
    NativeSymbols.setUpBLAS()
    do {
      let built = try SystemCC.compile(program.fastMathSource, entry: program.entry, systemCC)
      let compiled = try CompiledGraph(
        graph: graph, program: program, code: built.module, backend: .cc, options: options)
      for warning in built.warnings { compiled.code.warn(warning) }
      return compiled
    } catch let error as CompileError {
      let compiled = try TinyCCBackend().build(graph, program, options)
      compiled.code.warn("\(error); using TinyCC instead")
      return compiled
    }
  }
}

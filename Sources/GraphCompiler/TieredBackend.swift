import CCodegen
import Dispatch
import GraphIR

/// TinyCC at once, and the system compiler's build in the background: calls switch to the
/// faster code (atomically, never waiting) once it is ready, or stay on TinyCC with a
/// warning if it fails.
struct TieredBackend: CodeBackend {
  let systemCC: SystemCC.Configuration

  func build(_ graph: Graph, _ program: CProgram, _ options: CompileOptions) throws
    -> CompiledGraph
  {
    let compiled = try TinyCCBackend().build(graph, program, options)
    let slot = compiled.code
    let systemCC = systemCC
    slot.pending.enter()
    DispatchQueue.global().async {
      defer { slot.pending.leave() }
      do {
        let built = try SystemCC.compile(program.fastMathSource, entry: program.entry, systemCC)
        slot.install(built.module, .cc)
        for warning in built.warnings { slot.warn(warning) }
      } catch {
        slot.warn("\(error); staying on TinyCC")
      }
    }
    return compiled
  }
}

import CCodegen
import GraphIR

/// TinyCC, in-process: the program compiled in memory in milliseconds (see `TinyCC`).
struct TinyCCBackend: CodeBackend {
  func build(_ graph: Graph, _ program: CProgram, _ options: CompileOptions) throws
    -> CompiledGraph
  {
    let module = try TinyCC.compile(program.source, entry: program.entry)
    return try CompiledGraph(
      graph: graph, program: program, code: module, backend: .tcc, options: options)
  }
}

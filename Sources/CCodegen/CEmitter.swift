import GraphIR

/// Turns a graph into C text: the prelude, one function per kernel, and `gc_entry`.
///
/// Deterministic (same graph and options, same bytes) and traceable: buffer `p12` and local
/// `t12` hold node 12. User names reach the text only inside sanitised comments.
public enum CEmitter {
  /// The C program for `graph`; see `CProgram` for the calling convention.
  public static func emit(_ graph: Graph, options: CodegenOptions = .init()) throws -> CProgram {
    if let problem = Verifier.check(graph) { throw CodegenError.invalidGraph(problem) }
    let schedule = Schedule.make(graph)
    var w = CWriter()
    w.raw(Prelude.text)
    var kernels = KernelWriter(graph: graph, schedule: schedule, annotate: options.annotate)
    for k in schedule.kernels.indices {
      w.line("")
      kernels.write(k, into: &w)
    }
    w.line("")
    writeEntry(graph, schedule, options, &w)
    return CProgram(
      source: w.text, entry: "gc_entry", inputs: inputBindings(graph),
      outputs: graph.outputs.map {
        CBinding(name: $0.name, type: graph[$0.node].type, node: $0.node, isParam: false)
      },
      kernelCount: schedule.kernels.count, arenaBytes: schedule.arenaBytes, schedule: schedule)
  }

  static func inputBindings(_ graph: Graph) -> [CBinding] {
    graph.arguments.map { id in
      let node = graph[id]
      let isParam = if case .param = node.op { true } else { false }
      return CBinding(name: node.op.inputName ?? "", type: node.type, node: id, isParam: isParam)
    }
  }

  /// `gc_entry`: names each used buffer, then calls the kernels in order.
  private static func writeEntry(
    _ graph: Graph, _ schedule: Schedule, _ options: CodegenOptions, _ w: inout CWriter
  ) {
    var used = Set<Int>()
    for kernel in schedule.kernels {
      used.formUnion(kernel.reads)
      used.formUnion(kernel.roots.map(\.buffer))
    }
    let linkage = options.staticEntry ? "static " : ""
    w.block(
      "\(linkage)void gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena)"
    ) { w in
      w.line("char* gc_a = (char*)gc_arena;")
      w.line("(void)gc_in;")
      w.line("(void)gc_out;")
      w.line("(void)gc_a;")
      for b in used.sorted() {
        let buffer = schedule.buffers[b]
        let t = buffer.type.dtype.cName
        switch buffer.place {
        case .input(let k): w.line("const \(t)* \(buffer.name) = (const \(t)*)gc_in[\(k)];")
        case .output(let k): w.line("\(t)* \(buffer.name) = (\(t)*)gc_out[\(k)];")
        case .arena(let offset): w.line("\(t)* \(buffer.name) = (\(t)*)(gc_a + \(offset));")
        }
      }
      for (k, kernel) in schedule.kernels.enumerated() {
        let written = Set(kernel.roots.map(\.buffer))
        let names = written.union(kernel.reads).sorted().map { schedule.buffers[$0].name }
        w.line("gc_k\(k)(\(names.joined(separator: ", ")));")
      }
    }
  }
}

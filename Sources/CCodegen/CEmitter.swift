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
    var kernels = KernelWriter(
      graph: graph, schedule: schedule, annotate: options.annotate, blas: options.blas)
    for k in schedule.kernels.indices {
      w.line("")
      kernels.write(k, into: &w)
      if schedule.kernels[k].chunks > 0 {
        w.line("")
        kernels.writeCombine(k, into: &w)
      }
    }
    w.line("")
    writeEntry(graph, schedule, options, &w)
    let header = headerComment(graph)
    return CProgram(
      source: header + Prelude.text(for: w.text) + w.text, header: header,
      body: w.text, entry: "gc_entry",
      inputs: inputBindings(graph),
      outputs: graph.outputs.map {
        CBinding(name: $0.name, type: graph[$0.node].type, node: $0.node, isParam: false)
      },
      kernelCount: schedule.kernels.count, arenaBytes: schedule.arenaBytes, schedule: schedule)
  }

  /// `/* graphc: inputs x f64, w f32[2,3]; outputs f f64 */`: what the program computes
  /// from what, for a reader who opens the file (names sanitised for a comment).
  static func headerComment(_ graph: Graph) -> String {
    func list(_ items: [(String, TensorType)]) -> String {
      items.isEmpty
        ? "none" : items.map { CLiteral.comment("\($0.0) \($0.1)") }.joined(separator: ", ")
    }
    let inputs = graph.arguments.map { (graph[$0].op.inputName ?? "", graph[$0].type) }
    let outputs = graph.outputs.map { ($0.name, graph[$0.node].type) }
    return "/* graphc: inputs \(list(inputs)); outputs \(list(outputs)) */\n"
  }

  static func inputBindings(_ graph: Graph) -> [CBinding] {
    graph.arguments.map { id in
      let node = graph[id]
      let isParam = if case .param = node.op { true } else { false }
      return CBinding(name: node.op.inputName ?? "", type: node.type, node: id, isParam: isParam)
    }
  }

  /// `gc_entry`: fills the buffer table, then runs the kernels in order; big splittable
  /// kernels go through the caller's parallel-for, the rest are called directly.
  private static func writeEntry(
    _ graph: Graph, _ schedule: Schedule, _ options: CodegenOptions, _ w: inout CWriter
  ) {
    var used = Set<Int>()
    for kernel in schedule.kernels {
      used.formUnion(kernel.reads)
      used.formUnion(kernel.roots.map(\.buffer))
      if let partials = kernel.partials { used.insert(partials) }
    }
    let linkage = options.staticEntry ? "static " : ""
    let signature =
      "\(linkage)void gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, "
      + "gc_parallel_for gc_par, void* gc_par_ctx)"
    w.block(signature) { w in
      w.line("char* gc_a = (char*)gc_arena;")
      w.line("void* gc_b[\(max(schedule.buffers.count, 1))];")
      for line in [
        "(void)gc_in;", "(void)gc_out;", "(void)gc_a;", "(void)gc_par;", "(void)gc_par_ctx;",
      ] {
        w.line(line)
      }
      for b in used.sorted() {
        let buffer = schedule.buffers[b]
        switch buffer.place {
        case .input(let k): w.line("gc_b[\(b)] = (void*)gc_in[\(k)]; /* \(buffer.name) */")
        case .output(let k): w.line("gc_b[\(b)] = gc_out[\(k)]; /* \(buffer.name) */")
        case .arena(let offset): w.line("gc_b[\(b)] = gc_a + \(offset); /* \(buffer.name) */")
        }
      }
      for (k, kernel) in schedule.kernels.enumerated() {
        if let extent = Parallelism.splittableExtent(graph, kernel) {
          if Parallelism.work(graph, kernel) >= Parallelism.minimumWork && extent > 1 {
            w.line("gc_run(gc_par, gc_par_ctx, gc_k\(k), gc_b, \(extent));")
          } else {
            w.line("gc_k\(k)(gc_b, 0, \(extent));")
          }
        } else {
          w.line("gc_k\(k)(gc_b, 0, 1);")
        }
        if kernel.chunks > 0 { w.line("gc_k\(k)_combine(gc_b);") }
      }
    }
  }
}

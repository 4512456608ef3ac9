import GraphIR

/// Turns a graph and its plan into C text: the parts of the prelude it uses, one function
/// per kernel, and the entry point.
///
/// Deterministic (same graph and options, same bytes) and traceable: buffer `p12` and local
/// `t12` hold node 12. User names reach the text only inside sanitised comments. Lines stay
/// within `CWriter.width` columns.
public enum CEmitter {
  /// The C program for `graph`, lowered with `Lowering.plan`; see `CProgram` for the calling
  /// convention.
  public static func emit(_ graph: Graph, options: CodegenOptions = .init()) throws -> CProgram {
    if let problem = Verifier.check(graph) { throw CodegenError.invalidGraph(problem) }
    return emit(graph, plan: Lowering.plan(graph, options: options), options: options)
  }

  /// The C program for `graph` as `plan` says.
  public static func emit(_ graph: Graph, plan: Plan, options: CodegenOptions) -> CProgram {
    var w = CWriter()
    let calls = writeKernels(graph, plan, options, &w)
    w.line("")
    w.block(
      "int gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, "
        + parallelFor.parameters.joined(separator: ", ") + ")"
    ) { w in
      writeCalls(calls, plan, &w) { place in
        switch place {
        case .input(let k): "gc_in[\(k)]"
        case .output(let k): "gc_out[\(k)]"
        case .arena: "gc_arena"
        }
      }
    }
    let header = headerComment(graph)
    return CProgram(
      source: header + Prelude.text(for: w.text) + w.text, header: header,
      body: w.text, entry: "gc_entry",
      inputs: inputBindings(graph),
      outputs: outputBindings(graph),
      kernelCount: plan.kernels.count, arenaBytes: plan.arenaBytes, plan: plan)
  }

  /// The caller's parallel-for, as an entry or a loop kernel takes it and passes it on.
  static let parallelFor = (
    parameters: ["gc_parallel_for gc_par", "void* gc_par_ctx"], arguments: ["gc_par", "gc_par_ctx"]
  )

  /// Every kernel's functions, each after an empty line; returns how to call them.
  static func writeKernels(
    _ graph: Graph, _ plan: Plan, _ options: CodegenOptions, _ w: inout CWriter,
    prefix: String = "gc_"
  ) -> [KernelCall] {
    plan.kernels.indices.map { k in
      w.line("")
      return KernelWriter.write(
        k, of: plan, graph, annotate: options.annotate, prefix: prefix, into: &w)
    }
  }

  /// A loop body's kernels (named after `name`) and its entry, `static int NAME(const void*
  /// gc_in0, ..., void* gc_out0, ..., void* gc_arena)`: one pointer per body argument, one
  /// per output, then its scratch memory. The loop calls it once per iteration, so its
  /// buffers are parameters rather than tables: the loop would otherwise fill two arrays and
  /// the body read them back on every iteration, a quarter of W9's instructions under
  /// TinyCC (see `KernelWriter.writeLoop`).
  static func writeBody(_ program: LoopProgram, name: String, annotate: Bool, _ w: inout CWriter) {
    let options = CodegenOptions(annotate: annotate, blas: false, threads: false)
    let calls = writeKernels(program.graph, program.plan, options, &w, prefix: name + "_")
    let inputs = program.graph.arguments.indices.map { "gc_in\($0)" }
    let outputs = program.graph.outputs.indices.map { "gc_out\($0)" }
    let parallel = program.plan.usesParallelFor
    let parameters =
      inputs.map { "const void* \($0)" } + (outputs + ["gc_arena"]).map { "void* \($0)" }
      + (parallel ? parallelFor.parameters : [])
    w.line("")
    w.block("static int \(name)(\(parameters.joined(separator: ", ")))") { w in
      var entry = w.detached()
      writeCalls(calls, program.plan, &entry) { place in
        switch place {
        case .input(let k): "gc_in\(k)"
        case .output(let k): "gc_out\(k)"
        case .arena: "gc_arena"
        }
      }
      // An argument the body does not read (a carry it replaces, scratch it does not need)
      // is still passed.
      let names = inputs + outputs + ["gc_arena"] + (parallel ? parallelFor.arguments : [])
      markUnused(names, in: entry.text, &w)
      w.raw(entry.text)
    }
    w.line("")
  }

  /// `(void)NAME;` for each of `names` that `text` does not mention, with `note` as a
  /// comment: parameters a signature keeps whether or not this program uses them.
  static func markUnused(
    _ names: [String], in text: String, note: String? = nil, _ w: inout CWriter
  ) {
    let named = CIdentifiers.names(in: text)
    for name in names where !named.contains(name) {
      w.line("(void)\(name);" + (note.map { " /* \($0) */" } ?? ""))
    }
  }

  /// The body of an entry point: a typed pointer for each buffer the kernels take (`source`
  /// gives the C for the caller's pointer to a place), then the kernel calls in order; a
  /// kernel threads may split goes through the caller's parallel-for with its buffers in a
  /// table. A checked kernel's non-zero status is returned at once; else the entry returns 0.
  static func writeCalls(
    _ calls: [KernelCall], _ plan: Plan, _ w: inout CWriter,
    source: (BufferPlace) -> String
  ) {
    var used = Set<Int>()
    for call in calls {
      used.formUnion(call.parameters)
      used.formUnion(call.combine?.parameters ?? [])
    }
    let arena = used.contains {
      if case .arena = plan.buffers[$0].place { true } else { false }
    }
    let checked = calls.contains { $0.checked }
    if arena || checked { w.line("char* gc_a = (char*)\(source(.arena(offset: 0)));") }
    if checked {
      guard let offset = plan.faultOffset else {
        preconditionFailure("codegen: a plan with index checks has no fault record")
      }
      w.line("long long* gc_fault = (long long*)(gc_a + \(offset));")
    }
    if calls.contains(where: { $0.returnsStatus }) { w.line("int gc_status;") }
    for b in used.sorted() {
      let buffer = plan.buffers[b]
      let t = buffer.type.dtype.cName
      switch buffer.place {
      case .input(let k):
        w.line("const \(t)* \(buffer.name) = (const \(t)*)\(source(.input(k)));")
      case .output(let k):
        w.line("\(t)* \(buffer.name) = (\(t)*)\(source(.output(k)));")
      case .arena(let offset):
        w.line("\(t)* \(buffer.name) = (\(t)*)(gc_a + \(offset));")
      }
    }
    /// `NAME_buffers`, the table of a function that takes its buffers as one.
    func declareTable(_ name: String, _ names: [String]) {
      let table = names.map { "(void*)\($0)" }.joined(separator: ", ")
      w.line("void* const \(name)_buffers[] = {\(table.isEmpty ? "0" : table)};")
    }
    for call in calls {
      let names = call.parameters.map { plan.buffers[$0].name }
      if call.table || call.range != nil { declareTable(call.name, names) }
      let parallel = call.parallelFor ? parallelFor.arguments : []
      if call.returnsStatus {
        let arguments = names + (call.checked ? ["gc_fault"] : []) + parallel
        w.line("gc_status = \(call.name)(\(arguments.joined(separator: ", ")));")
        w.line("if (gc_status != 0) return gc_status;")
      } else if let range = call.range {
        w.line(
          "gc_run(gc_par, gc_par_ctx, \(range.wrapper), \(call.name)_buffers, \(range.extent));")
      } else {
        let arguments = (call.table ? ["\(call.name)_buffers"] : names) + parallel
        w.line("\(call.name)(\(arguments.joined(separator: ", ")));")
      }
      if let combine = call.combine {
        let names = combine.parameters.map { plan.buffers[$0].name }
        if combine.table { declareTable(combine.name, names) }
        let arguments = combine.table ? "\(combine.name)_buffers" : names.joined(separator: ", ")
        w.line("\(combine.name)(\(arguments));")
      }
    }
    w.line("return 0;")
  }

  /// `/* graphc: inputs x f64, w f32[2,3]; outputs f f64 */`: what the program computes
  /// from what, for a reader who opens the file (names sanitised for a comment).
  static func headerComment(_ graph: Graph) -> String {
    func list(_ items: [(String, TensorType)]) -> String {
      items.isEmpty
        ? "none" : items.map { CLiteral.comment("\($0.0) \($0.1)") }.joined(separator: ", ")
    }
    let inputs = inputBindings(graph).map { ($0.name, $0.type) }
    let outputs = graph.outputs.map { ($0.name, graph[$0.node].type) }
    var w = CWriter()
    w.line("/* graphc: inputs \(list(inputs)); outputs \(list(outputs)) */")
    return w.text
  }

  static func outputBindings(_ graph: Graph) -> [CBinding] {
    graph.outputs.map {
      CBinding(name: $0.name, type: graph[$0.node].type, node: $0.node, isParam: false)
    }
  }

  static func inputBindings(_ graph: Graph) -> [CBinding] {
    graph.arguments.map { id in
      let node = graph[id]
      let isParam = if case .param = node.op { true } else { false }
      guard let name = node.op.inputName else {
        preconditionFailure("an argument is no input:\n\(graph.context(around: id))")
      }
      return CBinding(name: name, type: node.type, node: id, isParam: isParam)
    }
  }
}

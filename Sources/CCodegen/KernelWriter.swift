import GraphIR

/// How the entry point calls a written kernel.
struct KernelCall {
  /// The C function (`gc_k3`).
  var name: String
  /// The buffers it takes, in parameter order (the ones its body names).
  var parameters: [Int]
  /// True when it takes them as one table (see `KernelWriter.maximumParameters`).
  var table: Bool
  /// For a kernel the caller's parallel-for may split: the outer extent, and the name of the
  /// function that takes the buffers as a table (`gc_k3_range`, or the kernel itself).
  var range: (extent: Int, wrapper: String)?
  /// For a chunked reduction: the combine step.
  var combine: Function?
  /// True for a kernel that checks indices: it takes the fault record `gc_fault` last and
  /// returns a status, which the entry passes on when it is not 0.
  var checked = false
  /// True for a kernel that returns a status (a checked one, or the host's allreduce).
  var returnsStatus = false
  /// True for a loop whose body threads may split: it takes `gc_par, gc_par_ctx` last.
  var parallelFor = false

  /// A C function and how it takes its buffers.
  struct Function {
    var name: String
    var parameters: [Int]
    var table: Bool
  }
}

/// Renders one kernel of a plan as C: one function per kernel (plus a combine step for a
/// chunked reduction and a table wrapper for a kernel threads may split), whose parameters
/// name the buffers it reads (`const`) and writes. Every decision about what C comes out was
/// made by the lowering passes; this only spells it, with one writer per kernel kind.
///
/// Inside a loop a value used more than once per iteration becomes a `const` local named
/// after its node (`t12`, then `t12_1` for a second index mapping of the same node); the pair
/// (node, index mapping) is memoised, so a subexpression shared by several roots is computed
/// once per iteration. A value used once is written parenthesised into its consumer's
/// expression instead: TinyCC keeps the values of one expression in registers but stores
/// every local to the stack and loads it back, so this alone makes its loops about 1.5x
/// faster (W2: 12.8 -> 8.1 us per call). The body is therefore written twice: the first
/// pass only counts the uses of each (node, index mapping).
///
/// A writer lives for one kernel: nothing carries over from one kernel to the next.
struct KernelWriter {
  let graph: Graph
  let plan: Plan
  let kernel: Kernel
  let annotate: Bool

  /// Statements of the innermost loop body being written.
  var body: [String] = []
  /// Expressions already available in this kernel, by (node, index mapping).
  var memo: [MemoKey: String] = [:]
  var localCount: [NodeID: Int] = [:]
  /// Elementwise nodes this kernel writes: read here, they are computed, not loaded.
  let computedHere: Set<NodeID>
  /// Uses per iteration of each (node, index mapping), counted by a first pass over the body;
  /// nil during that pass (when every value gets a local).
  var uses: [MemoKey: Int]? = nil
  /// In the counting pass, the uses seen so far.
  var counted: [MemoKey: Int] = [:]
  /// With `annotate`: for an inlined value, the notes of the nodes its expression holds.
  var inlinedNotes: [MemoKey: [String]] = [:]
  /// For an inlined value, how deeply parenthesised expressions nest in it.
  var inlineDepth: [MemoKey: Int] = [:]

  /// Offsets: the locals naming them (`address`), their uses per iteration (counted in the
  /// first pass), the declarations hoisted to outer loop levels (by level), each loop
  /// variable's level and the innermost level.
  var offsetNames: [IndexExpression: String] = [:]
  var offsetUses: [IndexExpression: Int] = [:]
  var hoisted: [Int: [String]] = [:]
  var loopDepth: [String: Int] = [:]
  var innermostDepth = 0

  struct MemoKey: Hashable {
    var node: NodeID
    var index: IndexMapping
  }

  private init(graph: Graph, plan: Plan, kernel: Kernel, annotate: Bool) {
    self.graph = graph
    self.plan = plan
    self.kernel = kernel
    self.annotate = annotate
    let roots: [Root] =
      switch kernel.kind {
      case .flat(let loop), .loopNest(let loop), .scatter(let loop): loop.roots
      case .chunkedReduction(let chunked): chunked.loop.roots
      case .matmul, .axpy, .columnSums, .gather, .scatterAdd, .cumulativeSum, .allreduce, .loop: []
      }
    computedHere = Set(
      roots.filter { $0.store == .element && graph[$0.node].op.isElementwise }.map(\.node))
  }

  /// Writes kernel number `k` of `plan` and says how to call it.
  static func write(
    _ k: Int, of plan: Plan, _ graph: Graph, annotate: Bool, prefix: String = "gc_",
    into w: inout CWriter
  ) -> KernelCall {
    let kernel = plan.kernels[k]
    if case .loop(let loop) = kernel.kind {
      CEmitter.writeBody(loop.body, name: "\(prefix)k\(k)_body", annotate: annotate, &w)
    }
    var writer = KernelWriter(graph: graph, plan: plan, kernel: kernel, annotate: annotate)
    var body = w.detached()
    body.indented { body in
      switch kernel.kind {
      case .flat(let loop): writer.writeFlat(loop, &body)
      case .chunkedReduction(let chunked): writer.writeChunks(chunked, &body)
      case .loopNest(let loop): writer.writeLoopNest(loop, &body)
      case .scatter(let loop): writer.writeScatter(loop, &body)
      case .matmul(let product): writer.writeMatmul(product, &body)
      case .axpy(let axpy): writer.writeAxpy(axpy, &body)
      case .columnSums(let sum): writer.writeColumnSum(sum, &body)
      case .gather(let gather): writer.writeGather(gather, &body)
      case .scatterAdd(let gather): writer.writeScatterAdd(gather, &body)
      case .cumulativeSum(let scan): writer.writeCumulativeSum(scan, &body)
      case .allreduce(let sum): writer.writeAllReduce(sum, &body)
      case .loop(let loop): writer.writeLoop(loop, body: "\(prefix)k\(k)_body", &body)
      }
    }
    let name = "\(prefix)k\(k)"
    if annotate {
      for (node, buffer) in kernel.results {
        w.line("/* \(plan.buffers[buffer].name): \(writer.described(node)) */")
      }
      if case .gather(let g) = kernel.kind, g.result == nil {
        w.line("/* the indices of \(writer.described(g.node)), read in place */")
      }
    }
    let parameters = writer.parameters(naming: body.text)
    let table = writer.function(
      name, parameters, range: kernel.threads != nil, body: body.text, into: &w)
    var range: (extent: Int, wrapper: String)? = nil
    if let extent = kernel.threads {
      range = (extent, table ? name : name + "_range")
      if !table {
        // The parallel-for passes buffers as a table: unpack it into the typed parameters.
        w.line("")
        w.block("static void \(name)_range(void* const* b, long long lo, long long hi)") { w in
          let arguments = parameters.enumerated().map { i, buffer in
            "(\(writer.pointerType(buffer))*)b[\(i)]"
          }
          w.line("\(name)(\((arguments + ["lo", "hi"]).joined(separator: ", ")));")
        }
      }
    }
    var combine: KernelCall.Function? = nil
    if case .chunkedReduction(let chunked) = kernel.kind {
      var steps = w.detached()
      steps.indented { steps in writer.writeCombine(chunked, &steps) }
      let parameters = writer.parameters(naming: steps.text)
      let results = Set(chunked.loop.roots.filter(\.isReduction).map(\.buffer))
      w.line("")
      let table = writer.function(
        name + "_combine", parameters, range: false, writes: results, body: steps.text, into: &w)
      combine = KernelCall.Function(name: name + "_combine", parameters: parameters, table: table)
    }
    return KernelCall(
      name: name, parameters: parameters, table: table, range: range, combine: combine,
      checked: kernel.kind.isChecked, returnsStatus: kernel.kind.returnsStatus,
      parallelFor: kernel.kind.needsParallelFor)
  }

  /// The most buffers a kernel takes as parameters; beyond, it takes them as a table
  /// `void* const* b`. C compilers need only accept 127 parameters, TinyCC's value stack
  /// overflows on calls with a few hundred arguments, and nobody reads such a signature.
  static let maximumParameters = 32

  /// Writes `static void name(...) { body }`; with more than `maximumParameters` buffers,
  /// the buffers come as a table and the body starts by naming them. Returns true then.
  private func function(
    _ name: String, _ parameters: [Int], range: Bool, writes: Set<Int>? = nil, body: String,
    into w: inout CWriter
  ) -> Bool {
    guard parameters.count > Self.maximumParameters, !kernel.kind.returnsStatus else {
      w.block(signature(name, parameters, range: range, writes: writes)) { w in w.raw(body) }
      return false
    }
    let bounds = range ? ["long long gc_lo", "long long gc_hi"] : []
    let parallel = kernel.kind.needsParallelFor ? CEmitter.parallelFor.parameters : []
    let list = ["void* const* b"] + bounds + parallel
    w.block("static void \(name)(\(list.joined(separator: ", ")))") { w in
      for (i, buffer) in parameters.enumerated() {
        let t = pointerType(buffer, writes: writes)
        w.line("\(t)* \(plan.buffers[buffer].name) = (\(t)*)b[\(i)];")
      }
      w.raw(body)
    }
    return true
  }

  /// The IR line of a node the kernel writes, for its comment.
  private func described(_ node: NodeID) -> String {
    CLiteral.comment(graph.line(node), limit: 90)
  }

  /// The kernel's buffers that `text` names, in buffer order.
  private func parameters(naming text: String) -> [Int] {
    let buffers = Set(kernel.reads + kernel.writes)
    let named = CIdentifiers.names(in: text, among: Set(buffers.map { plan.buffers[$0].name }))
    return buffers.sorted().filter {
      named.contains(plan.buffers[$0].name)
    }
  }

  /// `const double` for a buffer the function only reads, `double` for one it writes (by
  /// default, one the kernel writes).
  private func pointerType(_ buffer: Int, writes: Set<Int>? = nil) -> String {
    let t = plan.buffers[buffer].type.dtype.cName
    return (writes ?? Set(kernel.writes)).contains(buffer) ? t : "const " + t
  }

  /// `static void gc_k3(const double* p0, double* p5, long long gc_lo, long long gc_hi)`;
  /// a checked kernel (at most three buffers) returns an int and takes the fault record.
  private func signature(
    _ name: String, _ parameters: [Int], range: Bool, writes: Set<Int>? = nil
  ) -> String {
    var list = parameters.map {
      "\(pointerType($0, writes: writes))* \(plan.buffers[$0].name)"
    }
    if range { list += ["long long gc_lo", "long long gc_hi"] }
    if kernel.kind.isChecked { list += ["long long* gc_fault"] }
    if kernel.kind.needsParallelFor { list += CEmitter.parallelFor.parameters }
    let result = kernel.kind.returnsStatus ? "int" : "void"
    return "static \(result) \(name)(\(list.isEmpty ? "void" : list.joined(separator: ", ")))"
  }

  /// The loop bounds of an outer loop over `0 ..< extent`: the caller's range when threads
  /// may split the kernel.
  func outerRange(_ variable: String, _ extent: Int) -> String {
    kernel.threads == nil
      ? "\(variable) = 0; \(variable) < \(extent)" : "\(variable) = gc_lo; \(variable) < gc_hi"
  }

  /// Appends a statement that stores or accumulates a value, after a comment naming (with
  /// `annotate`) the values written inline in it.
  mutating func store(_ line: String, _ notes: [String]) {
    if annotate && !notes.isEmpty {
      body.append("/* \(Self.inlinedComment(notes).dropFirst(2)) */")
    }
    body.append(line)
  }
}

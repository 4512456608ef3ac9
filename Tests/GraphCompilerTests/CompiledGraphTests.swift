import GraphIR
import Testing

@testable import GraphCompiler

/// True when `a` matches `b` within `rtol` relative to max(1, |b|); NaNs and infinities must
/// match exactly.
func close(_ a: Double, _ b: Double, _ rtol: Double) -> Bool {
  if b.isNaN { return a.isNaN }
  if b.isInfinite { return a == b }
  return Swift.abs(a - b) <= rtol * Swift.max(1, Swift.abs(b))
}

/// Compares every output of the compiled graph with the interpreter.
func expectMatchesInterpreter(
  _ graph: Graph, _ inputs: [String: Tensor], _ label: String,
  compile: (Graph) throws -> CompiledGraph = { try Pipeline.compile($0) }
) throws {
  let compiled = try compile(graph)
  let got = try compiled.run(inputs)
  let expected = try Interpreter.run(graph, inputs)
  for output in graph.outputs {
    guard let g = got[output.name], let e = expected[output.name] else {
      Issue.record("\(label): output \(output.name) missing")
      continue
    }
    #expect(g.shape == e.shape, "\(label) \(output.name)")
    let rtol = e.dtype == .f32 ? 1e-5 : 1e-12
    let bad = zip(g.scalars, e.scalars).enumerated().filter {
      !close($0.element.0, $0.element.1, rtol)
    }
    #expect(
      bad.isEmpty,
      "\(label) output '\(output.name)': \(bad.prefix(3).map { "[\($0.offset)] \($0.element.0) vs \($0.element.1)" })\n\(compiled.source)"
    )
  }
}

@Suite struct CompiledGraphTests {
  @Test(arguments: corpus())
  func matchesInterpreter(_ c: Case) throws {
    try expectMatchesInterpreter(c.graph, c.inputs, c.name)
  }

  @Test(arguments: DType.floats)
  func ieeeSpecialsPropagate(_ t: DType) throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(t, [3]))
    let y = try b.input("y", TensorType(t, [3]))
    b.output("log", try b.log(x))
    b.output("recip", try b.div(b.scalar(1, like: x), y))
    b.output("max", try b.maximum(try b.log(x), y))
    b.output("min", try b.minimum(y, try b.log(x)))
    b.output("maxall", try b.reduceMax(try b.log(x)))
    b.output("sum", try b.sum(try b.div(b.scalar(1, like: x), y)))
    let inputs = [
      "x": Tensor(t, shape: [3], scalars: [-1, 0, 2]),
      "y": Tensor(t, shape: [3], scalars: [0, -0.0, 5]),
    ]
    try expectMatchesInterpreter(b.graph, inputs, "specials \(t)")
    let out = try Pipeline.compile(b.graph).run(inputs)
    #expect(out["log"]?.scalars[0].isNaN == true)
    #expect(out["recip"]?.scalars[0] == .infinity)
    #expect(out["recip"]?.scalars[1] == -.infinity)
    #expect(out["max"]?.scalars[0].isNaN == true)
    #expect(out["maxall"]?.scalars[0].isNaN == true)
  }

  @Test func missingInputsAreAllListed() throws {
    let b = GraphBuilder()
    let x = try b.input("x", .scalar(.f64))
    let y = try b.input("y", .scalar(.f64))
    let z = try b.input("z", .scalar(.f64))
    b.output("s", try b.add(try b.add(x, y), z))
    let compiled = try Pipeline.compile(b.graph)
    #expect(throws: InputError.missing(["x", "z"])) {
      try compiled.run(["y": Tensor(1.0)])
    }
    #expect(throws: InputError.wrongShape(name: "x", expected: .scalar(.f64), got: [2])) {
      try compiled.run([
        "x": Tensor(.f64, shape: [2], scalars: [1, 2]), "y": Tensor(1.0), "z": Tensor(1.0),
      ])
    }
    #expect(throws: InputError.unknown(["w"])) {
      try compiled.run(["x": Tensor(1.0), "y": Tensor(1.0), "z": Tensor(1.0), "w": Tensor(1.0)])
    }
    let context = try compiled.makeContext()
    #expect(throws: InputError.unknown(["w"])) { try context.setInput("w", Tensor(1.0)) }
    #expect(throws: InputError.wrongShape(name: "y", expected: .scalar(.f64), got: [1])) {
      try context.setInput("y", Tensor(.f64, shape: [1], scalars: [1]))
    }
  }

  /// An f32 output comes back as the float the kernel wrote, exactly.
  @Test func f32OutputsComeBackExactly() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f32, [2]))
    b.output("y", try b.mul(x, b.scalar(3, like: x)))
    let compiled = try Pipeline.compile(b.graph)
    let y = try compiled.run(compiled.bind(["x": Tensor(.f32, shape: [2], scalars: [0.1, 1e-3])]))
    #expect(y[0].dtype == .f32)
    #expect(y[0].scalars == [Double(Float(0.1) * 3), Double(Float(1e-3) * 3)])
  }

  @Test func absurdShapeRejectedBeforeAllocation() throws {
    let b = GraphBuilder()
    #expect(throws: GraphError.tooLarge(shape: [1 << 40, 1 << 40])) {
      try b.input("huge", TensorType(.f64, [1 << 40, 1 << 40]))
    }
    // The shape is allowed, but its values exceed any machine's memory: refused before
    // param defaults or buffers are made.
    let x = try b.input("x", TensorType(.f64, [1 << 34]))
    b.output("y", try b.exp(x))
    #expect(throws: GraphError.self) { try Pipeline.compile(b.graph) }

    // A tiny input whose outputs are huge: the buffers are refused when a context is made.
    let c = GraphBuilder()
    let s = try c.input("s", TensorType(.f64, []))
    let wide = try c.broadcast(s, to: [1 << 34])
    c.output("y", try c.exp(wide))
    c.output("z", try c.sin(wide))
    let compiled = try Pipeline.compile(c.graph)
    #expect(throws: CompileError.self) { try compiled.makeContext() }
  }

  @Test func cCompileErrorShowsTheLines() throws {
    let source = "int gc_entry(void) {\n  int a = 1;\n  b = a;\n}\n"
    do {
      _ = try TinyCC.compile(source, entry: "gc_entry")
      Issue.record("expected a compile error")
    } catch let error as CompileError {
      guard case .cCompile(let message, let excerpt) = error else {
        Issue.record("wrong error \(error)")
        return
      }
      #expect(message.contains("<string>:3:"))
      #expect(excerpt.contains(">     3 |   b = a;"))
      #expect(error.description.hasPrefix("generated C failed to compile: <string>:3: error:"))
    }
    #expect(throws: CompileError.link("entry point 'nope' not found")) {
      try TinyCC.compile("int gc_entry(void) {}\n", entry: "nope")
    }
    do {
      _ = try TinyCC.compile(
        "void gc_undefined(void);\nvoid gc_entry(void) { gc_undefined(); }\n", entry: "gc_entry")
      Issue.record("expected a link error")
    } catch let error as CompileError {
      #expect(error.description.contains("undefined symbol 'gc_undefined'"), "\(error)")
    }
  }

  @Test func contextsRunRepeatedlyAndFromSeveralThreads() async throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f32, [1000]))
    let w = try b.param("w", TensorType(.f32, [1000]), initializer: .normal(std: 1))
    b.output("y", try b.sum(try b.mul(try b.tanh(x), w)))
    let compiled = try Pipeline.compile(b.graph, options: CompileOptions(seed: 7))
    let defaults = try #require(compiled.paramDefaults["w"])
    let expected = try Interpreter.run(
      b.graph, ["x": ramp(TensorType(.f32, [1000])), "w": defaults])
    let want = try #require(expected["y"]?.scalar)
    try await withThrowingTaskGroup(of: Double.self) { group in
      for _ in 0..<4 {
        group.addTask {
          let context = try compiled.makeContext()
          try context.setInput("x", ramp(TensorType(.f32, [1000])))
          var last = 0.0
          for _ in 0..<50 {
            try context.run()
            last = context.output(at: 0).scalars[0]
          }
          return last
        }
      }
      for try await got in group { #expect(close(got, want, 1e-5)) }
    }
  }
}

@Suite struct LargeGraphTests {
  /// A long elementwise chain is inlined into one loop without deep recursion trouble.
  @Test func longChainCompilesAndMatches() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [4]))
    var h = x
    for k in 0..<3000 {
      h = try b.add(try b.mul(h, b.scalar(0.999, like: h)), b.scalar(Double(k % 5) * 1e-3, like: h))
    }
    b.output("y", h)
    try expectMatchesInterpreter(b.graph, ["x": ramp(TensorType(.f64, [4]))], "chain")
  }
}

@Suite struct PipelineTests {
  @Test func hostileNamesCompileAndRun() throws {
    let names = ["int", "gc_entry", "a*/b", String(repeating: "n", count: 200), "x\ny"]
    let b = GraphBuilder()
    var total = b.constant(0, .scalar(.f64))
    var inputs: [String: Tensor] = [:]
    for (k, name) in names.enumerated() {
      total = try b.add(
        total, try b.mul(try b.input(name, .scalar(.f64)), b.scalar(Double(k + 1), like: total)))
      inputs[name] = Tensor(Double(k) + 0.5)
    }
    b.output("*/ out", total)
    let out = try Pipeline.compile(b.graph, options: CompileOptions(annotate: true)).run(inputs)
    #expect(out["*/ out"]?.scalar == 0.5 * 1 + 1.5 * 2 + 2.5 * 3 + 3.5 * 4 + 4.5 * 5)
  }

  @Test func emitCPlainAndStandalone() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [3]))
    b.output("y", try b.sum(try b.exp(x)))
    let plain = try Pipeline.emitC(b.graph, standalone: false, name: "f")
    #expect(plain.header == nil)
    #expect(plain.source.contains("int gc_entry(const void* const* gc_in"))
    let standalone = try Pipeline.emitC(b.graph, standalone: true, name: "f")
    #expect(
      standalone.header?.contains("int gc_f_run(const double* in_x, double* out_y, void* arena);")
        == true)
    #expect(
      standalone.source.contains("int gc_f_run(const double* in_x, double* out_y, void* arena) {"))
    #expect(!standalone.source.contains("gc_entry"))
  }
}

@Suite struct ThreadTests {
  /// Big kernels split across threads give the interpreter's answers, bit for bit the same
  /// as one thread.
  @Test(arguments: [true, false])
  func splitKernelsMatchTheInterpreter(_ splittable: Bool) throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [256, 256]))
    let w = try b.input("w", TensorType(.f64, [256, 64]))
    let e = try b.tanh(try b.mul(x, b.scalar(0.5, like: x)))
    b.output("e", e)
    b.output("rows", try b.sum(e, axes: [1]))
    b.output("mm", try b.matmul(e, w))
    if !splittable {
      b.output("total", try b.sum(e))
      b.output("cols", try b.reduceMax(x, axes: [0]))
    }
    let inputs = [
      "x": ramp(TensorType(.f64, [256, 256])), "w": ramp(TensorType(.f64, [256, 64]), shift: 1),
    ]
    let compiled = try Pipeline.compile(b.graph, options: CompileOptions(threads: 2))
    let splitCalls = compiled.source.components(separatedBy: "gc_run(gc_par, ").count - 1
    #expect(splitCalls == (splittable ? 2 : 1))
    let got = try compiled.run(inputs)
    let expected = try Interpreter.run(b.graph, inputs)
    for (name, want) in expected {
      let values = got[name]?.scalars ?? []
      #expect(values.count == want.scalars.count)
      #expect(zip(values, want.scalars).allSatisfy { close($0, $1, 1e-12) }, "\(name)")
    }
    let serial = try Pipeline.compile(b.graph).run(inputs)
    #expect(serial == got)
  }
}

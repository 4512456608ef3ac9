import GraphCompiler
import GraphIR
import GraphLanguage
import GraphTestSupport
import Testing

/// Functions and loops compiled under both backends against the interpreter, and every
/// derivative through them against central finite differences.
@Suite struct LoopEndToEndTests {
  /// Each program defines a scalar `l` and `g = grad(l, w)` for its param `w`; `hv` is a
  /// second derivative where the program has one.
  static let programs: [String: String] = [
    "take": """
    input table: f64[5, 2]
    input idx: i64[3]
    input h0: f64[2]
    param w: f64[2] = 0.5
    def f(c, i)
      row = take(table, i)
      c2 = tanh(c * w + row)
      return c2, sum(c2)
    end
    hT, s = scan(f, [h0], [idx])
    l = sum(s)
    g = grad(l, w)
    output hT, s, l, g
    """,
    "counter": """
    input x
    input k: i64
    param w = 0.9
    def step(a, i)
      return a * w + sin(a), i + 1
    end
    y, n = repeat(step, 4, x, k)
    l = y * f64(n)
    g = grad(l, w)
    hv = grad(g, w)
    output y, n, l, g, hv
    """,
    "repeat": """
    input x: f64[2]
    param w: f64[2] = 0.7
    def step(a)
      return a + 0.1 * sin(a * w)
    end
    z = repeat(step, 6, x)
    l = sum(z * z)
    g = grad(l, w)
    hv = grad(sum(g), w)
    output z, l, g, hv
    """,
    "scan": """
    input h0: f64[2]
    input xs: f64[4, 2]
    param w: f64[2, 2] = 0.4
    def cell(h, x)
      h2 = tanh(h @ w + x)
      return h2, h2 * h2
    end
    hT, hs = scan(cell, [h0], [xs])
    l = sum(hs) + sum(hT)
    g = grad(l, w)
    output hT, hs, l, g
    """,
    // The scanned values are a reshape of a product's [8, 3] buffer, and so is the stacked
    // result's cotangent in reverse mode: rows of 6 elements in buffers of rows of 3.
    "reshaped": """
    input u: f64[8, 2]
    input v: f64[2, 3]
    input wy: f64[3, 5]
    param w: f64[3] = 0.5
    def cell(h, x)
      h2 = x + h * w
      return h2, h2
    end
    xs = reshape(u @ v, [4, 2, 3])
    hT, hs = scan(cell, [xs[0]], [xs])
    l = sum(tanh(hs @ wy))
    g = grad(l, w)
    output hs, l, g
    """,
    "nested": """
    input xs: f64[3]
    param w = 0.3
    def inner(a, b)
      return a * w + cos(b), b + a
    end
    def outer(c, x)
      p, q = repeat(inner, 2, c, x)
      return p, q
    end
    y, ys = scan(outer, [0.5], [xs])
    l = y + sum(ys)
    g = grad(l, w)
    hv = grad(g, w)
    output y, ys, l, g, hv
    """,
  ]

  /// An index out of range inside a loop body stops the run with the same message as the
  /// interpreter's, under both backends.
  @Test(arguments: [Backend.tcc, .cc])
  func indexOutOfRangeInABody(backend: Backend) throws {
    let graph = try GraphParser.parse(Self.programs["take"] ?? "")
    var inputs = Self.inputs(graph)
    inputs["idx"] = Tensor(.i64, shape: [3], scalars: [1, 7, 0])
    var expected = ""
    do { _ = try Interpreter.run(graph, inputs) } catch { expected = "\(error)" }
    #expect(expected.hasPrefix("take: index 7 out of range for axis 0 of size 5"))
    let compiled = try Pipeline.compile(graph, options: CompileOptions(backend: backend))
    do {
      _ = try compiled.run(inputs)
      Issue.record("\(backend) ran past an index out of range")
    } catch let error as InputError {
      #expect(error.description == expected)
    }
  }

  /// The C of a loop is written once: only the loop's bound depends on the trip count.
  @Test func theCDependsOnTheTripCountOnlyInTheLoopBound() throws {
    func c(_ count: Int) throws -> String {
      let source = """
        input x: f64[2]
        param w: f64[2] = 0.7
        def step(a)
          return a + 0.1 * sin(a * w)
        end
        z = repeat(step, \(count), x)
        output z
        """
      return try Pipeline.emitC(GraphParser.parse(source)).source
    }
    let (ten, thousand) = (try c(10), try c(1000))
    #expect(ten != thousand)
    #expect(ten.replacingOccurrences(of: "gc_t < 10;", with: "gc_t < 1000;") == thousand)
  }

  /// A 10,000-step `scan` compiles to one loop and runs (a running sum, checked in Swift).
  @Test(arguments: [Backend.tcc, .cc])
  func aLongScan(backend: Backend) throws {
    let graph = try GraphParser.parse(
      """
      input xs: f64[10000]
      def add(c, x)
        c2 = c + x
        return c2, c2 * c2
      end
      total, squares = scan(add, [0], [xs])
      output total, squares
      """)
    let xs = sampleTensor([10000], seed: 3)
    let outputs = try Pipeline.compile(graph, options: CompileOptions(backend: backend)).run([
      "xs": xs
    ])
    var running = 0.0
    var squares: [Double] = []
    for x in xs.scalars {
      running += x
      squares.append(running * running)
    }
    #expect(outputs["total"]?.scalars == [running])
    #expect(outputs["squares"]?.scalars == squares)
  }

  static func inputs(_ graph: Graph) -> [String: Tensor] {
    var values: [String: Tensor] = [:]
    for (k, id) in graph.arguments.enumerated() where graph[id].op.inputName != nil {
      let type = graph[id].type
      values[graph.argumentName(id)] = sampleTensor(
        type.shape, seed: UInt64(k + 1), dtype: type.dtype)
    }
    return values
  }

  /// Kernels inside a body that threads may split: the plan splits them, and two threads
  /// give the same bits as one (each element is written by one thread), equal to the
  /// interpreter's values.
  @Test(arguments: [Backend.tcc, .cc])
  func bodyKernelsSplitAcrossThreads(backend: Backend) throws {
    let source = """
      input h0: f64[64, 256]
      input xs: f64[3, 64, 256]
      param w: f64[256, 256] = 0.01
      def cell(h, x)
        h2 = tanh(h @ w + x)
        return h2, h2 * h2
      end
      hT, ys = scan(cell, [h0], [xs])
      l = sum(ys)
      g = grad(l, w)
      output hT, l, g
      """
    let graph = try GraphParser.parse(source)
    let inputs = Self.inputs(graph)
    let plan = try Pipeline.compile(graph, options: CompileOptions(threads: 2)).program.plan
    let split = plan.kernels.contains {
      if case .loop(let loop) = $0.kind {
        loop.body.plan.kernels.contains { $0.threads != nil }
      } else {
        false
      }
    }
    #expect(split, "no kernel of a loop body may be split")
    var results: [[String: Tensor]] = []
    for threads in [1, 2] {
      let options = CompileOptions(backend: backend, threads: threads)
      results.append(try Pipeline.compile(graph, options: options).run(inputs))
    }
    let expected = try Interpreter.run(graph, inputs)
    for (name, value) in results[0] {
      #expect(results[1][name]?.scalars == value.scalars, "\(name): 2 threads differ from 1")
      let want = try #require(expected[name])
      #expect(worstError(value, want) <= 1e-9, "\(name) \(backend)")
    }
  }

  @Test(arguments: programs.keys.sorted(), [Backend.tcc, .cc])
  func compiledMatchesInterpreter(name: String, backend: Backend) throws {
    let graph = try GraphParser.parse(Self.programs[name] ?? "", fileName: "\(name).graph")
    let inputs = Self.inputs(graph)
    let expected = try Interpreter.run(graph, inputs)
    let got = try Pipeline.compile(graph, options: CompileOptions(backend: backend)).run(inputs)
    for (output, value) in expected {
      let compiled = try #require(got[output])
      #expect(compiled.shape == value.shape, "\(name).\(output)")
      #expect(worstError(compiled, value) <= 1e-12, "\(name).\(output) \(backend)")
    }
  }

  @Test(arguments: programs.keys.sorted())
  func gradientsMatchFiniteDifferences(name: String) throws {
    let file = try GraphParser.parseFile(Self.programs[name] ?? "", fileName: "\(name).graph")
    let graph = file.graph
    let inputs = Self.inputs(graph)
    let output = { (label: String) in graph.outputs.first { $0.name == label }?.node }
    let l = try #require(output("l"))
    let g = try #require(output("g"))
    #expect(try checkGradient(graph, of: l, withRespectTo: "w", gradient: g, at: inputs) < 1e-7)
    // The second derivative: finite differences of the first, summed.
    if let hv = output("hv") {
      let site = try #require(file.gradients.last)
      #expect(
        try checkGradient(graph, of: site.y, withRespectTo: "w", gradient: hv, at: inputs)
          < 1e-7)
    }
  }
}

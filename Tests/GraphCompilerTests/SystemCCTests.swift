import Autodiff
import Foundation
import GraphIR
import Testing

@testable import GraphCompiler

/// A fresh cache folder for one test, and the default compiler.
func scratchConfiguration(compiler: String? = nil) -> SystemCC.Configuration {
  var configuration = SystemCC.Configuration.current
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "graphc-cc-test-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
  ).path
  configuration.cacheDirectory = folder
  if let compiler { configuration.compiler = compiler }
  return configuration
}

/// True when a C compiler can build a shared library here.
let hasSystemCompiler: Bool = {
  let compiler = SystemCC.Configuration.current.compiler
  return FileManager.default.isExecutableFile(atPath: compiler)
}()

/// A small graph with a transcendental, a reduction and a matrix product.
func smallGraph() throws -> (Graph, [String: Tensor]) {
  let b = GraphBuilder()
  let x = try b.input("x", TensorType(.f64, [3, 4]))
  let w = try b.input("w", TensorType(.f64, [4, 2]))
  b.output("y", try b.tanh(try b.matmul(x, w)))
  b.output("s", try b.sum(try b.exp(x)))
  let inputs = [
    "x": ramp(TensorType(.f64, [3, 4])), "w": ramp(TensorType(.f64, [4, 2]), shift: 1),
  ]
  return (b.graph, inputs)
}

@Suite(.enabled(if: hasSystemCompiler, "no C compiler on PATH"))
struct SystemCCTests {
  /// The whole op corpus, built by the system compiler with the fast-math prelude, agrees
  /// with the interpreter (one cache folder for the run).
  @Test func corpusMatchesInterpreter() throws {
    let configuration = scratchConfiguration()
    defer { try? FileManager.default.removeItem(atPath: configuration.cacheDirectory) }
    for c in corpus() {
      try expectMatchesInterpreter(c.graph, c.inputs, "cc \(c.name)") { graph in
        let compiled = try Pipeline.compile(
          graph, options: CompileOptions(backend: .cc), systemCC: configuration)
        #expect(compiled.activeBackend == .cc)
        #expect(compiled.warnings.isEmpty)
        return compiled
      }
    }
  }

  /// A second compile of the same graph loads the cached library instead of running the
  /// compiler again.
  @Test func secondCompileReusesTheCachedLibrary() throws {
    let configuration = scratchConfiguration()
    defer { try? FileManager.default.removeItem(atPath: configuration.cacheDirectory) }
    let b = GraphBuilder()
    // A graph no other test builds, so its cache entry is new.
    let x = try b.input("cache-test-x", TensorType(.f32, [7]))
    b.output("y", try b.mul(try b.exp(x), b.scalar(3.25, like: x)))
    let options = CompileOptions(backend: .cc)
    let first = try Pipeline.compile(b.graph, options: options, systemCC: configuration)
    let files = try FileManager.default.contentsOfDirectory(atPath: configuration.cacheDirectory)
    #expect(files.filter { $0.hasSuffix(".so") }.count == 1)
    #expect(files.count == 1, "temporary files are cleaned up: \(files)")
    let before = SystemCC.statistics
    let second = try Pipeline.compile(b.graph, options: options, systemCC: configuration)
    let after = SystemCC.statistics
    #expect(after.cacheHits >= before.cacheHits + 1)
    #expect(second.activeBackend == .cc)
    let input = ["cache-test-x": ramp(TensorType(.f32, [7]))]
    #expect(try first.run(input) == second.run(input))
  }

  /// A missing compiler: TinyCC runs the graph, with one warning.
  @Test func missingCompilerFallsBackToTinyCC() throws {
    let configuration = scratchConfiguration(compiler: "/nonexistent/cc")
    defer { try? FileManager.default.removeItem(atPath: configuration.cacheDirectory) }
    let (graph, inputs) = try smallGraph()
    try expectMatchesInterpreter(graph, inputs, "missing cc") { graph in
      let compiled = try Pipeline.compile(
        graph, options: CompileOptions(backend: .cc), systemCC: configuration)
      #expect(compiled.activeBackend == .tcc)
      #expect(compiled.warnings.count == 1)
      #expect(compiled.warnings.first?.contains("/nonexistent/cc") == true)
      return compiled
    }
  }

  /// A compiler that fails (here `false`, which exits 1): TinyCC, one warning.
  @Test func brokenCompilerFallsBackToTinyCC() throws {
    let configuration = scratchConfiguration(compiler: "/bin/false")
    let (graph, inputs) = try smallGraph()
    try expectMatchesInterpreter(graph, inputs, "broken cc") { graph in
      let compiled = try Pipeline.compile(
        graph, options: CompileOptions(backend: .cc), systemCC: configuration)
      #expect(compiled.activeBackend == .tcc)
      #expect(compiled.warnings.count == 1)
      return compiled
    }
  }

  /// A cache folder that cannot be created (its parent is a file; a read-only folder does
  /// not stop root): TinyCC, one warning.
  @Test func unwritableCacheFallsBackToTinyCC() throws {
    var configuration = scratchConfiguration()
    let file = configuration.cacheDirectory + ".file"
    FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
    defer { try? FileManager.default.removeItem(atPath: file) }
    configuration.cacheDirectory = file + "/cache"
    let (graph, inputs) = try smallGraph()
    try expectMatchesInterpreter(graph, inputs, "unwritable cache") { graph in
      let compiled = try Pipeline.compile(
        graph, options: CompileOptions(backend: .cc), systemCC: configuration)
      #expect(compiled.activeBackend == .tcc)
      #expect(compiled.warnings.count == 1)
      #expect(compiled.warnings.first?.contains("cache folder") == true)
      return compiled
    }
  }

  /// A garbage file where the library should be is left in place, and the graph runs on cc
  /// code built privately, with one warning.
  @Test func garbageEntryIsLeftInPlace() throws {
    let configuration = scratchConfiguration()
    defer { try? FileManager.default.removeItem(atPath: configuration.cacheDirectory) }
    let b = GraphBuilder()
    let x = try b.input("corrupt-test-x", TensorType(.f64, [5]))
    b.output("y", try b.log(try b.add(x, b.scalar(4, like: x))))
    let options = CompileOptions(backend: .cc)
    // Build once to learn the entry's name, then replace it with garbage.
    _ = try Pipeline.compile(b.graph, options: options, systemCC: configuration)
    let name = try #require(
      try FileManager.default.contentsOfDirectory(atPath: configuration.cacheDirectory).first)
    let path = configuration.cacheDirectory + "/" + name
    let garbage = Data("not a shared library".utf8)
    try garbage.write(to: URL(fileURLWithPath: path))
    let before = SystemCC.statistics
    let inputs = ["corrupt-test-x": ramp(TensorType(.f64, [5]))]
    try expectMatchesInterpreter(b.graph, inputs, "corrupt entry") { graph in
      let compiled = try Pipeline.compile(graph, options: options, systemCC: configuration)
      #expect(compiled.activeBackend == .cc)
      #expect(compiled.warnings.count == 1)
      #expect(compiled.warnings.first?.contains(path) == true)
      return compiled
    }
    #expect(SystemCC.statistics.bypassedEntries >= before.bypassedEntries + 1)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
  }

  /// Tiered: TinyCC answers at once, the cc code replaces it, and both give the same
  /// results (ops without rounding differences between the backends).
  @Test func tieredSwapKeepsResults() throws {
    let configuration = scratchConfiguration()
    defer { try? FileManager.default.removeItem(atPath: configuration.cacheDirectory) }
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [64, 3]))
    let w = try b.input("w", TensorType(.f64, [3, 5]))
    let y = try b.maximum(try b.matmul(x, w), b.scalar(0, like: x))
    b.output("y", y)
    b.output("m", try b.reduceMax(try b.sub(y, b.scalar(0.5, like: x)), axes: [1]))
    let inputs = [
      "x": ramp(TensorType(.f64, [64, 3])), "w": ramp(TensorType(.f64, [3, 5]), shift: 2),
    ]
    let compiled = try Pipeline.compile(
      b.graph, options: CompileOptions(backend: .tiered), systemCC: configuration)
    let early = try compiled.run(inputs)
    compiled.waitForBackgroundCompile()
    #expect(compiled.activeBackend == .cc)
    #expect(compiled.warnings.isEmpty)
    let late = try compiled.run(inputs)
    #expect(early == late)
  }

  /// Tiered with a missing compiler stays on TinyCC with one warning.
  @Test func tieredWithoutCompilerStaysOnTinyCC() throws {
    let (graph, inputs) = try smallGraph()
    let compiled = try Pipeline.compile(
      graph, options: CompileOptions(backend: .tiered),
      systemCC: scratchConfiguration(compiler: "/nonexistent/cc"))
    compiled.waitForBackgroundCompile()
    #expect(compiled.activeBackend == .tcc)
    #expect(compiled.warnings.count == 1)
    try expectMatchesInterpreter(graph, inputs, "tiered fallback") { _ in compiled }
  }

  /// A value computed again in a second kernel has the same bits there. Found by the
  /// random-program test (seed 1008350): `d = x*w - w` was one C expression in one kernel
  /// and two statements in another; clang fused the first into a multiply-add, so `d` no
  /// longer equalled its own row maximum, and the gradient of softmax (through `reduce_max`,
  /// which divides by the count of elements equal to the maximum) was 0/0 = NaN.
  @Test func valueComputedInTwoKernelsIsTheSame() throws {
    let configuration = scratchConfiguration()
    defer { try? FileManager.default.removeItem(atPath: configuration.cacheDirectory) }
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [3]))
    let w = try b.input("w", TensorType(.f64, [1]))
    let d = try b.sub(try b.mul(try b.reshape(x, to: [3, 1]), w), try b.reshape(w, to: [1, 1]))
    b.output("l", try b.sum(try b.sigmoid(d)))
    let y = try b.mean(try b.softmax(d, axis: 1))
    b.output("h", try gradient(of: y, withRespectTo: [w], in: b)[0])
    let inputs = [
      "x": Tensor(
        .f64, shape: [3], scalars: [0.7868255751633813, 0.4851374762620411, 0.4853290970084734]),
      "w": Tensor(.f64, shape: [1], scalars: [1.4960558682274385]),
    ]
    try expectMatchesInterpreter(b.graph, inputs, "cc, d in two kernels") { graph in
      try Pipeline.compile(graph, options: CompileOptions(backend: .cc), systemCC: configuration)
    }
  }

  @Test func stableHashIsStableAndSeparatesParts() {
    #expect(StableHash.hex(["abc"]) == StableHash.hex(["abc"]))
    #expect(StableHash.hex(["ab", "c"]) != StableHash.hex(["a", "bc"]))
    #expect(StableHash.hex([""]).count == 32)
  }

  @Test func compilerChoiceFollowsTheEnvironment() {
    let chosen = SystemCC.Configuration.fromEnvironment([
      "CC": "/opt/my-cc", "GRAPHC_CACHE_DIR": "/c", "PATH": "/usr/bin",
    ])
    #expect(chosen.compiler == "/opt/my-cc")
    #expect(chosen.cacheDirectory == "/c")
    let xdg = SystemCC.Configuration.fromEnvironment(["XDG_CACHE_HOME": "/x", "PATH": "/nowhere"])
    #expect(xdg.cacheDirectory == "/x/graphc")
    #expect(xdg.compiler == "cc")
    let home = SystemCC.Configuration.fromEnvironment(["HOME": "/h", "PATH": "/nowhere"])
    #expect(home.cacheDirectory == "/h/.cache/graphc")
  }
}

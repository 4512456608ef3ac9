import Foundation
import GraphCompiler
import GraphIR
import GraphLanguage
import GraphTestSupport
import Testing

/// Integers and indexing compiled and run under both backends: against NumPy's values
/// (committed in `Fixtures/indexing_numpy.json`, made by `make_indexing_fixtures.py`), against
/// the interpreter, and with an index out of range, which must stop the run with the
/// contract's message.
@Suite struct IndexingEndToEndTests {
  /// One case of the fixture file: a program, its inputs and NumPy's outputs.
  struct Case: Decodable {
    struct Value: Decodable {
      var dtype: String
      var shape: [Int]
      var data: [Double]
      var tensor: Tensor { Tensor(DType(rawValue: dtype) ?? .f64, shape: shape, scalars: data) }
    }
    var source: String
    var inputs: [String: Value]
    var outputs: [String: Value]
  }

  static func fixture() throws -> [String: Case] {
    struct File: Decodable { var cases: [String: Case] }
    let url = packageRoot().appendingPathComponent(
      "Tests/EndToEndTests/Fixtures/indexing_numpy.json")
    return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
  }

  static let names = [
    "take_axis0", "take_axis_minus2", "one_hot_argmax_arange", "cross_entropy_labels",
  ]

  @Test(arguments: names, [Backend.tcc, .cc])
  func matchesNumpy(name: String, backend: Backend) throws {
    let c = try #require(try Self.fixture()[name])
    let graph = try GraphParser.parse(c.source, fileName: "\(name).graph")
    let inputs = c.inputs.mapValues(\.tensor)
    let compiled = try Pipeline.compile(graph, options: CompileOptions(backend: backend))
    let got = try compiled.run(inputs)
    let interpreted = try Interpreter.run(graph, inputs)
    for (output, expected) in c.outputs {
      let value = try #require(got[output])
      #expect(value.shape == expected.shape, "\(name).\(output)")
      #expect(value.dtype.isInteger == (expected.dtype == "i64"), "\(name).\(output) dtype")
      let oracle = try #require(interpreted[output])
      // The cc backend's fast exp and log may differ from libm in the last bits.
      for (g, e) in zip(value.scalars, oracle.scalars) {
        #expect(abs(g - e) <= 1e-13 * max(1, abs(e)), "\(name).\(output): compiled vs interpreter")
      }
      for (g, e) in zip(value.scalars, expected.data) {
        #expect(abs(g - e) <= 1e-12 * max(1, abs(e)), "\(name).\(output) \(backend): \(g) vs \(e)")
      }
    }
  }

  /// An index out of range stops the run with the contract's message, the same from the
  /// interpreter and from both backends, wherever it is: forward (`take`), in a gradient
  /// whose forward take is dead (`scatterAdd` checks on its own), in `one_hot` and in
  /// `cross_entropy` labels.
  @Test(arguments: [Backend.tcc, .cc])
  func indexOutOfRangeStopsTheRun(backend: Backend) throws {
    let cases: [(String, [String: Tensor], String)] = [
      (
        "input x: f64[65, 2]\ninput idx: i64[4, 20]\ny = take(x, idx)\noutput y",
        ["idx": Tensor(.i64, shape: [4, 20], scalars: (0..<80).map { $0 == 77 ? 70000 : -65 })],
        "take: index 70000 out of range for axis 0 of size 65 (idx[3, 17])"
      ),
      (
        "input x: f64[3, 5]\ninput idx: i32[2]\ny = take(x, idx, 1)\nl = sum(y)\n"
          + "g = grad(l, x)\noutput g",
        ["idx": Tensor(.i32, shape: [2], scalars: [4, -6])],
        "take: index -6 out of range for axis 1 of size 5 (idx[1])"
      ),
      (
        "input k: i64[3]\nh = one_hot(k, 4, f32)\noutput h",
        ["k": Tensor(.i64, shape: [3], scalars: [0, 4, 1])],
        "one_hot: index 4 out of range for axis 0 of size 4 (idx[1])"
      ),
      (
        "input z: f64[2, 3]\ninput y: i64[2]\nl = cross_entropy(z, y)\noutput l",
        ["y": Tensor(.i64, shape: [2], scalars: [2, -4])],
        "cross_entropy: index -4 out of range for axis 0 of size 3 (labels[1])"
      ),
    ]
    for (source, indices, message) in cases {
      let graph = try GraphParser.parse(source)
      var inputs = indices
      for id in graph.arguments where inputs[graph.argumentName(id)] == nil {
        inputs[graph.argumentName(id)] = Tensor(filling: 0.5, graph[id].type)
      }
      #expect(throws: InputError.self) { try Interpreter.run(graph, inputs) }
      do {
        _ = try Interpreter.run(graph, inputs)
      } catch { #expect("\(error)" == message, "interpreter") }
      let compiled = try Pipeline.compile(graph, options: CompileOptions(backend: backend))
      do {
        _ = try compiled.run(inputs)
        Issue.record("\(backend) ran past an index out of range: \(source)")
      } catch let error as InputError {
        #expect(error.description == message, "\(backend)")
      }
    }
  }

  /// Integer arithmetic, comparisons, sums and conversions agree with the interpreter.
  @Test(arguments: [Backend.tcc, .cc])
  func integerArithmetic(backend: Backend) throws {
    let source = """
      input a: i64[2, 3]
      input b: i32[3]
      input x: f32[2, 3]
      s = sum(a * 3 - a, 1)
      t = sum(b + b * b)
      c = (a >= 2) * a + i64(x)
      d = f32(b) * x + f32(sum(a))
      e = i32(x * 10) - 1
      output s, t, c, d, e
      """
    let graph = try GraphParser.parse(source)
    let inputs = [
      "a": Tensor(.i64, shape: [2, 3], scalars: [1, 2, 3, -4, 5, 6]),
      "b": Tensor(.i32, shape: [3], scalars: [-2, 0, 7]),
      "x": Tensor(.f32, shape: [2, 3], scalars: [0.25, -1.75, 2.5, 3.9, -0.5, 0]),
    ]
    let want = try Interpreter.run(graph, inputs)
    let compiled = try Pipeline.compile(graph, options: CompileOptions(backend: backend))
    let got = try compiled.run(inputs)
    #expect(got == want)
    #expect(got["s"] == Tensor(.i64, shape: [2], scalars: [12, 14]))
    #expect(got["c"]?.scalars == [0, 1, 5, 3, 5, 6])
    #expect(got["e"] == Tensor(.i32, shape: [2, 3], scalars: [1, -18, 24, 38, -6, -1]))
  }
}

import Foundation
import GraphCompiler
import GraphIR
import GraphLanguage
import GraphTestSupport
import Testing

/// `@` on stacks of matrices (NumPy's matmul: leading axes broadcast, a vector on either
/// side), written in the language, against NumPy's products and the gradients of
/// `sum(sin(a @ b))` (`Fixtures/make_matmul_stacks.py`), through the interpreter, TinyCC and
/// the system compiler.
@Suite struct MatmulStackTests {
  struct Entry: Decodable {
    var shape: [Int]
    var data: [Double]
    var tensor: Tensor { Tensor(shape: shape, scalars: data) }
  }
  struct Case: Decodable {
    var left: String
    var right: String
    var product: Entry
    var dleft: Entry
    var dright: Entry
  }
  struct Fixture: Decodable {
    var inputs: [String: Entry]
    var cases: [String: Case]
  }

  static let fixture: Fixture? = {
    let path = packageRoot().appendingPathComponent(
      "Tests/EndToEndTests/Fixtures/matmul_stacks.json"
    ).path
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return try? JSONDecoder().decode(Fixture.self, from: data)
  }()

  static let names = [
    "stack_stack", "broadcast_batch", "stack_matrix", "matrix_stack", "vector_stack",
    "stack_vector",
  ]

  @Test(arguments: names) func matchesNumpy(_ name: String) throws {
    let fixture = try #require(Self.fixture)
    let c = try #require(fixture.cases[name])
    let (l, r) = (try #require(fixture.inputs[c.left]), try #require(fixture.inputs[c.right]))
    func declared(_ name: String, _ e: Entry) -> String {
      "input \(name): f64[\(e.shape.map(String.init).joined(separator: ", "))]"
    }
    let source = """
      \(declared("l", l))
      \(declared("r", r))
      p = l @ r
      f = sum(sin(p))
      dl = grad(f, l)
      dr = grad(f, r)
      output p
      output dl
      output dr
      """
    let graph = try GraphParser.parse(source)
    let inputs = ["l": l.tensor, "r": r.tensor]
    let expected = ["p": c.product.tensor, "dl": c.dleft.tensor, "dr": c.dright.tensor]
    var runs: [(String, [String: Tensor])] = [("interpreter", try Interpreter.run(graph, inputs))]
    for backend in [Backend.tcc, .cc] {
      let compiled = try Pipeline.compile(graph, options: CompileOptions(backend: backend))
      runs.append(("\(backend)", try compiled.run(inputs)))
    }
    for (how, got) in runs {
      for (output, want) in expected {
        let value = try #require(got[output])
        #expect(value.shape == want.shape, "\(name) \(output) \(how)")
        #expect(worstError(value, want) < 1e-12, "\(name) \(output) \(how)")
      }
    }
  }

  /// A stack of products splits across threads by matrices; the bits do not change.
  @Test func threadsSplitTheStack() throws {
    let source = """
      input a: f64[8, 64, 48]
      input b: f64[8, 48, 40]
      p = a @ b
      output p
      """
    let graph = try GraphParser.parse(source)
    let inputs = [
      "a": sampleTensor([8, 64, 48], seed: 3), "b": sampleTensor([8, 48, 40], seed: 4),
    ]
    let one = try Pipeline.compile(graph).run(inputs)
    let two = try Pipeline.compile(graph, options: CompileOptions(threads: 2)).run(inputs)
    #expect(one == two)
    let expected = try Interpreter.run(graph, inputs)
    #expect(try worstError(#require(one["p"]), #require(expected["p"])) < 1e-12)
    let listing = try Pipeline.listing(graph)
    #expect(listing.plan.contains("matmul 8 of 64x48 @ 48x40, BLAS, threads"), "\(listing.plan)")
  }
}

import Foundation
import GraphCompiler
import GraphIR
import GraphLanguage
import GraphTestSupport
import Testing

/// `conv2d`, `max_pool2d` and `avg_pool2d` written in the language, against their
/// definitions computed by direct loops in NumPy (`Fixtures/make_conv_fixtures.py`): values,
/// and the gradients of `sum(result * r)`, through the interpreter, TinyCC and the system
/// compiler; second derivatives against central differences of first derivatives.
@Suite struct ConvolutionTests {
  struct Entry: Decodable {
    var shape: [Int]
    var data: [Double]
    var tensor: Tensor { Tensor(shape: shape, scalars: data) }
    var type: String { "f64[\(shape.map(String.init).joined(separator: ", "))]" }
  }
  struct Case: Decodable, CustomStringConvertible {
    var kind: String
    var name: String
    var stride: [Int]
    var padding: [Int]?
    var dilation: [Int]?
    var window: [Int]?
    var x: Entry
    var w: Entry?
    var r: Entry
    var y: Entry
    var gx: Entry
    var gw: Entry?
    var description: String { name }
  }

  static let cases: [Case] = {
    let path = packageRoot().appendingPathComponent("Tests/EndToEndTests/Fixtures/conv_pool.json")
    guard let data = FileManager.default.contents(atPath: path.path) else { return [] }
    return (try? JSONDecoder().decode([Case].self, from: data)) ?? []
  }()

  static func pair(_ v: [Int]) -> String { "[\(v[0]), \(v[1])]" }

  /// The .graph source of a case: the result, the loss and its gradients.
  static func source(_ c: Case) -> String {
    var lines = ["input x: \(c.x.type)", "input r: \(c.r.type)"]
    switch c.kind {
    case "conv2d":
      lines.append("input w: \(c.w?.type ?? "")")
      let settings = [c.stride, c.padding ?? [0, 0], c.dilation ?? [1, 1]].map(pair)
      lines.append("y = conv2d(x, w, \(settings.joined(separator: ", ")))")
    default:
      lines.append("y = \(c.kind)(x, \(pair(c.window ?? [1, 1])), \(pair(c.stride)))")
    }
    lines += ["loss = sum(y * r)", "gx = grad(loss, x)", "output y", "output gx"]
    if c.kind == "conv2d" { lines += ["gw = grad(loss, w)", "output gw"] }
    return lines.joined(separator: "\n") + "\n"
  }

  @Test func fixtureLoads() {
    #expect(Self.cases.count == 7)
  }

  @Test(arguments: cases) func matchesTheDefinition(_ c: Case) throws {
    let graph = try GraphParser.parse(Self.source(c))
    var inputs = ["x": c.x.tensor, "r": c.r.tensor]
    var expected = ["y": c.y.tensor, "gx": c.gx.tensor]
    if let w = c.w, let gw = c.gw {
      inputs["w"] = w.tensor
      expected["gw"] = gw.tensor
    }
    var runs: [(String, [String: Tensor])] = [("interpreter", try Interpreter.run(graph, inputs))]
    for backend in [Backend.tcc, .cc] {
      let compiled = try Pipeline.compile(graph, options: CompileOptions(backend: backend))
      runs.append(("\(backend)", try compiled.run(inputs)))
    }
    for (how, got) in runs {
      for (name, want) in expected {
        let value = try #require(got[name], "\(name)")
        #expect(value.shape == want.shape, "\(c.name) \(name) \(how)")
        #expect(worstError(value, want) < 1e-11, "\(c.name) \(name) \(how)")
      }
    }
  }

  /// A Hessian-vector product of a small CNN's loss (conv, relu, max pool, dense) against
  /// central differences of its gradient.
  @Test func hessianVectorProductOfASmallCNN() throws {
    let source = """
      input x: f64[2, 1, 6, 6]
      input w: f64[2, 1, 3, 3]
      input v: f64[2, 1, 3, 3]
      input d: f64[8, 1]
      h = max_pool2d(tanh(conv2d(x, w, 1, 1)), 3)
      loss = sum((reshape(h, [2, 8]) @ d)^2)
      g = grad(loss, w)
      hv = grad(sum(g * v), w)
      output g
      output hv
      """
    let graph = try GraphParser.parse(source)
    let inputs = [
      "x": sampleTensor([2, 1, 6, 6], seed: 1), "w": sampleTensor([2, 1, 3, 3], seed: 2),
      "v": sampleTensor([2, 1, 3, 3], seed: 3), "d": sampleTensor([8, 1], seed: 4),
    ]
    let compiled = try Pipeline.compile(graph)
    let hv = try #require(try compiled.run(inputs)["hv"])
    let step = 1e-5
    func gradient(_ t: Double) throws -> Tensor {
      var moved = inputs
      let (w, v) = (inputs["w"]?.scalars ?? [], inputs["v"]?.scalars ?? [])
      moved["w"] = Tensor(shape: [2, 1, 3, 3], scalars: zip(w, v).map { $0 + t * $1 })
      return try #require(try compiled.run(moved)["g"])
    }
    let (plus, minus) = (try gradient(step), try gradient(-step))
    let estimate = zip(plus.scalars, minus.scalars).map { ($0 - $1) / (2 * step) }
    for (a, e) in zip(hv.scalars, estimate) {
      #expect(abs(a - e) < 1e-5 * max(1, abs(e)), "hv \(a) vs differences \(e)")
    }
  }

  /// Windows that do not fit and mismatched channels are located errors.
  @Test(arguments: [
    (
      "input x: f64[1, 2, 4, 4]\ninput w: f64[3, 2, 5, 5]\ny = conv2d(x, w)\noutput y\n",
      "t.graph:3:5: error: invalid operand to 'conv2d': expected a window that fits: kernel height 5 (span 5) on an axis of 4"
    ),
    (
      "input x: f64[1, 2, 4, 4]\ninput w: f64[3, 3, 2, 2]\ny = conv2d(x, w)\noutput y\n",
      "t.graph:3:5: error: invalid operand to 'conv2d': expected as many channels in w as in x: x f64[1,2,4,4] has 2, w f64[3,3,2,2] has 3"
    ),
    (
      "input x: f64[3, 3]\ny = max_pool2d(x, 4)\noutput y\n",
      "t.graph:2:5: error: invalid operand to 'max_pool2d': expected a window that fits: window height 4 (span 4) on an axis of 3"
    ),
    (
      "input x: f64[1, 1, 5, 5]\ninput w: f64[1, 1, 1, 100000]\ny = conv2d(x, w, 1, 0, 4503599627370496)\noutput y\n",
      "t.graph:3:5: error: invalid operand to 'conv2d': expected a window that fits: kernel width 100000 (span beyond 9223372036854775807) on an axis of 5"
    ),
    (
      "input x: f64[4, 4]\ny = avg_pool2d(x, 2, 0)\noutput y\n",
      "t.graph:2:5: error: invalid operand to 'avg_pool2d': expected strides and dilations of 1 or more, got 0 and 1"
    ),
    (
      "input x: f64[4, 4]\ny = avg_pool2d(x, [2, 2, 2])\noutput y\n",
      "t.graph:2:19: error: the window of 'avg_pool2d' must be a whole number or a pair like [2, 2]"
    ),
  ])
  func badWindowsAreLocatedErrors(_ source: String, _ message: String) throws {
    #expect(throws: (any Error).self) { try GraphParser.parse(source, fileName: "t.graph") }
    do {
      _ = try GraphParser.parse(source, fileName: "t.graph")
    } catch {
      #expect("\(error)" == message)
    }
  }
}

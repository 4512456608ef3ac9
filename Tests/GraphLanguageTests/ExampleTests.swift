import Foundation
import GraphIR
import GraphLanguage
import Testing

/// The files in `Examples/`, with their hand-computed values.
@Suite struct ExampleTests {
  static let examples = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Examples")

  static func source(_ name: String) throws -> String {
    try String(contentsOf: examples.appendingPathComponent(name), encoding: .utf8)
  }

  /// Every example parses, derivatives included.
  @Test(arguments: ["seeds.graph", "rosenbrock.graph", "mlp.graph", "gradient-descent.graph"])
  func parses(name: String) throws {
    _ = try GraphParser.parse(try Self.source(name), fileName: name)
  }

  @Test func seedValues() throws {
    let graph = try GraphParser.parse(try Self.source("seeds.graph"), fileName: "seeds.graph")
    let out = try Interpreter.run(
      graph,
      ["x": Tensor(2), "y": Tensor(3), "w": Tensor(2), "u": Tensor(3), "target": Tensor(10)])
    let expected: [String: Double] = [
      "f": 17, "df": 14, "loss": 16, "dloss": -24, "g": 31, "dgdx": 13, "dgdy": 12,
      "p": 29.5562243957226,  // 4 e^2
      "dp": 59.1124487914452,  // (2x + x^2) e^x = 8 e^2
      "q": 0.45464871341284085,  // sin(2) / 2
      "dq": -0.4353977749799916,  // (2 cos 2 - sin 2) / 4
      "c": 1.6094379124341003,  // log 5
      "dc": 0.8, "d2f": 6,
    ]
    for (name, value) in expected { #expect(close(out[name]?.scalar, value), "\(name)") }
  }

  /// With u = 3 and target = 10 a step is `w <- (1 - 18 lr) w + 60 lr`, so after n steps
  /// `w_n = w* + r^n (w0 - w*)` with `w* = 10/3` and `r = 1 - 18 lr`: `dw_n/dlr = -18 n
  /// r^(n-1) (w0 - w*)`, and the final loss `9 (w_n - w*)^2` has derivative `18 (w_n - w*)
  /// dw_n/dlr`.
  @Test func gradientDescentValues() throws {
    let graph = try GraphParser.parse(
      try Self.source("gradient-descent.graph"), fileName: "gradient-descent.graph")
    let out = try Interpreter.run(graph, ["u": Tensor(3), "target": Tensor(10)])
    let (r, n, w0, target) = (1 - 18 * 0.01, 20.0, 2.0, 10.0 / 3)
    let w = target + pow(r, n) * (w0 - target)
    let dw = -18 * n * pow(r, n - 1) * (w0 - target)
    #expect(close(out["w"]?.scalar, w))
    #expect(close(out["final"]?.scalar, 9 * (w - target) * (w - target)))
    #expect(close(out["dw_dlr"]?.scalar, dw))
    #expect(close(out["dfinal_dlr"]?.scalar, 18 * (w - target) * dw))
  }

  @Test func rosenbrockValues() throws {
    let graph = try GraphParser.parse(
      try Self.source("rosenbrock.graph"), fileName: "rosenbrock.graph")
    let out = try Interpreter.run(graph, ["x": Tensor(-1.2), "y": Tensor(1)])
    #expect(close(out["f"]?.scalar, 24.2))
    #expect(close(out["dfdx"]?.scalar, -215.6))
    #expect(close(out["dfdy"]?.scalar, -88))
  }

  @Test func mlpTypes() throws {
    let file = try GraphParser.parseFile(try Self.source("mlp.graph"), fileName: "mlp.graph")
    let types = Dictionary(
      uniqueKeysWithValues: file.graph.outputs.map { ($0.name, file.graph[$0.node].type) })
    #expect(types["loss"] == .scalar(.f32))
    #expect(types["w1_next"] == TensorType(.f32, [784, 128]))
    #expect(file.gradients.count == 4)
  }
}

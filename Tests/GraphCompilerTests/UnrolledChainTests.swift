import Autodiff
import Foundation
import GraphIR
import Testing

@testable import GraphCompiler

/// An unrolled recurrence with its gradient: the C grows linearly in the number of steps
/// (no step's kernel recomputes the history, `StoredValues.sharedLongExpressions`), and the
/// kernels agree with the interpreter.
@Suite struct UnrolledChainTests {
  /// An LSTM-like cell run `steps` times: h and c of width 4, weights through a matrix
  /// product every step (a kernel boundary), loss sum(h^2), gradient for the weights.
  static func graph(steps: Int) throws -> Graph {
    let b = GraphBuilder()
    let w = try b.input("w", .f64, shape: [4, 16])
    let x = try b.input("x", .f64, shape: [1, 4])
    var h = x
    var c = try x * 0.5
    for _ in 0..<steps {
      let z = try matmul(h, w)
      let gate = try sigmoid(z[.range(nil, nil), .range(0, 4)])
      let forget = try sigmoid(z[.range(nil, nil), .range(4, 8)])
      let out = try sigmoid(z[.range(nil, nil), .range(8, 12)])
      let cell = try tanh(z[.range(nil, nil), .range(12, 16)])
      c = try forget * c + gate * cell
      h = try out * tanh(c)
    }
    let loss = try sum(h * h)
    b.outputs(["loss": loss, "dw": try grad(loss, w)])
    return b.graph
  }

  @Test func codeGrowsLinearlyInTheSteps() throws {
    let short = try Pipeline.emitC(Self.graph(steps: 10), annotate: false).source.utf8.count
    let long = try Pipeline.emitC(Self.graph(steps: 40), annotate: false).source.utf8.count
    // Four times the steps: about four times the text (names grow a digit; a quadratic
    // schedule gave about 12 times).
    #expect(Double(long) / Double(short) < 4.6, "\(short) -> \(long) bytes")
  }

  @Test func kernelsMatchTheInterpreter() throws {
    let graph = try Self.graph(steps: 12)
    let inputs = [
      "w": Tensor(shape: [4, 16], scalars: (0..<64).map { sin(Double($0)) * 0.4 }),
      "x": Tensor(shape: [1, 4], scalars: [0.3, -0.2, 0.5, 0.1]),
    ]
    let expected = try Interpreter.run(graph, inputs)
    let got = try Pipeline.compile(graph).run(inputs)
    for name in ["loss", "dw"] {
      let (a, e) = (try #require(got[name]), try #require(expected[name]))
      #expect(a.shape == e.shape)
      for (u, v) in zip(a.scalars, e.scalars) { #expect(abs(u - v) <= 1e-12 * max(1, abs(v))) }
    }
  }
}

import Autodiff
import Foundation
import GraphIR
import Testing

@testable import GraphCompiler

/// A 5×5 convolution written with 25 slices: its index arithmetic simplifies to the loop
/// variables (no division or remainder per element) and common offsets are computed once,
/// outside the inner loops where they can be; the kernels agree with the interpreter.
@Suite struct ConvolutionFromSlicesTests {
  static func graph() throws -> Graph {
    let b = GraphBuilder()
    let x = try b.input("x", .f64, shape: [2, 1, 9, 9])
    let w = try b.input("w", .f64, shape: [3, 1, 5, 5])
    var y: Value? = nil
    for i in 0..<5 {
      for j in 0..<5 {
        let window = try x[.range(nil, nil), .range(nil, nil), .range(i, i + 5), .range(j, j + 5)]
        let s = try reshape(window, [2, 1, 1, 5, 5])
        let k = try reshape(
          w[.range(nil, nil), .range(nil, nil), .range(i, i + 1), .range(j, j + 1)],
          [1, 3, 1, 1, 1])
        y = try y.map { try $0 + s * k } ?? s * k
      }
    }
    guard let y else { preconditionFailure("no terms") }
    let loss = try sum(tanh(y) * tanh(y))
    b.outputs(["loss": loss, "dw": try grad(loss, w), "dx": try grad(loss, x)])
    return b.graph
  }

  @Test func indexArithmeticIsSimplifiedAndHoisted() throws {
    let source = try Pipeline.emitC(Self.graph(), annotate: false).source
    let kernels = source.components(separatedBy: "static void gc_k").dropFirst().joined()
    // The only divisions left are none: every coordinate is a loop variable.
    #expect(!kernels.contains(" / ") && !kernels.contains(" % "), "\(kernels)")
    // Offsets of outer loops are declared outside the innermost loop and shared.
    #expect(kernels.contains("const long long o"), "\(kernels)")
    #expect(!kernels.contains("i0 * 81 + i2 * 9 + i3 +"), "\(kernels)")
  }

  @Test func kernelsMatchTheInterpreter() throws {
    let graph = try Self.graph()
    let inputs = [
      "x": Tensor(shape: [2, 1, 9, 9], scalars: (0..<162).map { sin(Double($0)) }),
      "w": Tensor(shape: [3, 1, 5, 5], scalars: (0..<75).map { cos(Double($0) * 0.3) * 0.2 }),
    ]
    try expectMatchesInterpreter(graph, inputs, "conv from slices")
  }
}

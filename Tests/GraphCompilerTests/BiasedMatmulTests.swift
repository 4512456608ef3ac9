import Autodiff
import Foundation
import GraphIR
import Testing

@testable import GraphCompiler

/// Dense layers `relu(x @ w + b)`: the matmul kernel stores the biased value (bias rows, then
/// gemm with beta = 1), and the activation and its gradient's mask read it.
@Suite struct BiasedMatmulTests {
  /// A layer and its gradients; the bias on either side of the add, one weight read
  /// transposed, and a second product whose bare value is also an output (so not biased).
  @Test(arguments: [DType.f32, .f64], [false, true])
  func denseLayerMatchesInterpreter(dtype: DType, systemCC: Bool) throws {
    guard !systemCC || hasSystemCompiler else { return }
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(dtype, [5, 3]))
    let w = try b.input("w", TensorType(dtype, [3, 4]))
    let bias = try b.input("bias", TensorType(dtype, [4]))
    let v = try b.input("v", TensorType(dtype, [4, 4]))
    let c = try b.input("c", TensorType(dtype, [1, 4]))
    let h = try b.relu(try b.add(try b.matmul(x, w), try b.broadcast(bias, to: [5, 4])))
    let product = try b.matmul(h, try b.transpose(v))
    let out = try b.add(try b.broadcast(c, to: [5, 4]), try b.matmul(h, v))
    let loss = try b.sum(try b.mul(out, out))
    let grads = try gradient(of: loss, withRespectTo: [w, bias, v, c], in: b)
    b.output("loss", loss)
    b.output("product", product)
    b.output("product plus c", try b.add(product, try b.broadcast(c, to: [5, 4])))
    for (name, g) in zip(["dw", "dbias", "dv", "dc"], grads) { b.output(name, g) }
    let inputs = [
      "x": ramp(TensorType(dtype, [5, 3])), "w": ramp(TensorType(dtype, [3, 4]), shift: 1),
      "bias": ramp(TensorType(dtype, [4]), shift: 2),
      "v": ramp(TensorType(dtype, [4, 4]), shift: 3),
      "c": ramp(TensorType(dtype, [1, 4]), shift: 4),
    ]
    let label = "\(dtype) \(systemCC ? "cc" : "tcc")"
    try expectMatchesInterpreter(b.graph, inputs, label) { graph in
      guard systemCC else { return try Pipeline.compile(graph) }
      let configuration = scratchConfiguration()
      defer { try? FileManager.default.removeItem(atPath: configuration.cacheDirectory) }
      return try Pipeline.compile(
        graph, options: CompileOptions(backend: .cc), systemCC: configuration)
    }
    // Both biased products accumulate onto their bias rows (beta = 1).
    let compiled = try Pipeline.compile(b.graph)
    let one = dtype == .f32 ? "1.0f" : "1.0"
    let gemms = compiled.source.components(separatedBy: "\n").filter { $0.contains("gemm(101") }
    let biased = gemms.filter { $0.components(separatedBy: ", \(one), p").count > 2 }
    #expect(biased.count == 2, "\(compiled.source)")
  }
}

import Autodiff
import GraphCompiler
import GraphIR
import Testing

/// Bias gradients: a masked value written in full and summed over its leading axis, which
/// the kernels hand to BLAS (gemv with a ones vector) up to 4096 rows and loop over beyond.
@Suite struct ColumnSumTests {
  @Test(arguments: [DType.f32, .f64], [3, 128, 5000])
  func biasGradientMatchesInterpreter(dtype: DType, rows: Int) throws {
    let b = GraphBuilder()
    let x = try b.input("x", dtype, shape: [rows, 6])
    let w = try b.input("w", dtype, shape: [6, 4])
    let bias = try b.input("bias", dtype, shape: [4])
    let loss = try sum(relu(matmul(x, w) + bias) ** 2)
    b.outputs(["db": try grad(loss, bias), "dw": try grad(loss, w)])
    var rng = SeededGenerator(seed: UInt64(rows))
    let inputs = [
      "x": Tensor(dtype, shape: [rows, 6], scalars: (0..<rows * 6).map { _ in rng.normal() }),
      "w": Tensor(dtype, shape: [6, 4], scalars: (0..<24).map { _ in rng.normal() }),
      "bias": Tensor(dtype, shape: [4], scalars: [0.5, -0.5, 0, 1]),
    ]
    let compiled = try Pipeline.compile(b.graph)
    // Up to 4096 rows the sums go to BLAS; beyond, the loop keeps them.
    let kernels = compiled.source.components(separatedBy: "static void gc_k").dropFirst().joined()
    #expect(kernels.contains("gemv(") == (rows <= 4096))
    let got = try compiled.run(inputs)
    let want = try Interpreter.run(b.graph, inputs)
    let tolerance = dtype == .f64 ? 1e-12 : 1e-4
    for name in ["db", "dw"] {
      let (g, e) = (got[name]?.scalars ?? [], want[name]?.scalars ?? [])
      #expect(g.count == e.count && !g.isEmpty)
      let scale = e.map(abs).max() ?? 1
      for (a, c) in zip(g, e) {
        #expect(abs(a - c) <= tolerance * max(1, scale), "\(name): \(a) vs \(c)")
      }
    }
  }
}

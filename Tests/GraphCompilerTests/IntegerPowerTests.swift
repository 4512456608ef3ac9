import GraphCompiler
import GraphIR
import Testing

/// Constant integer exponents compile to multiplications, with `pow`'s values.
@Suite struct IntegerPowerTests {
  static let specials: [Double] = [
    0, -0.0, 1.5, -2.25, 1e200, -1e-200, .infinity, -.infinity, .nan, 3,
  ]

  @Test(arguments: [2.0, 3, 4, -1, -2, 5, 0.5], [DType.f64, .f32])
  func matchesInterpreter(exponent: Double, dtype: DType) throws {
    let b = GraphBuilder()
    let x = try b.input("x", dtype, shape: [Self.specials.count])
    b.outputs(["y": try x ** exponent])
    let compiled = try Pipeline.compile(b.graph)
    let input = Tensor(dtype, shape: [Self.specials.count], scalars: Self.specials)
    let got = try #require(try compiled.run(["x": input])["y"])
    let want = try #require(try Interpreter.run(b.graph, ["x": input])["y"])
    for (g, w) in zip(got.scalars, want.scalars) {
      if w.isNaN || w.isInfinite || w == 0 {
        #expect(g.isNaN == w.isNaN && (w.isNaN || g == w), "x^\(exponent): \(g) vs \(w)")
      } else {
        let tolerance: Double = dtype == .f32 ? 1e-6 : 1e-15
        #expect(abs(g - w) <= tolerance * abs(w), "x^\(exponent): \(g) vs \(w)")
      }
    }
    // The prelude declares pow; look only at the kernels.
    let kernels = compiled.source.components(separatedBy: "static void gc_k").dropFirst().joined()
    let expectsCall = ![2.0, 3, 4, -1, -2].contains(exponent)
    #expect(kernels.contains("pow") == expectsCall, "\(kernels)")
  }
}

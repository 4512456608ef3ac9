import GraphCompiler
import GraphIR
import GraphTestSupport
import Testing

/// Every language function compiled to C and run, against NumPy's values for the same
/// expression: the compiled path checked against an oracle that shares no code with it.
@Suite struct CompiledNumpyFixtureTests {
  static let names = LanguageFunctionCases.cases.map(\.0)

  @Test(arguments: names, [DType.f64, .f32])
  func tinyccMatchesNumpy(name: String, dtype: DType) throws {
    try check(name, dtype, .tcc)
  }

  /// The optimising backend on a few representative functions (each case builds a shared
  /// object, so the whole table would be slow on a cold cache).
  @Test(arguments: [
    "tanh", "sigmoid", "log", "exp", "softmax_neg1", "cross_entropy", "matmul_2x2", "pow",
    "erf", "gelu", "lgamma", "digamma", "trigamma", "cumsum_0", "slice_neg_bounds",
  ])
  func systemCompilerMatchesNumpy(name: String) throws {
    try check(name, .f32, .cc)
    try check(name, .f64, .cc)
  }

  private func check(_ name: String, _ dtype: DType, _ backend: Backend) throws {
    let fixture = try LanguageFunctionCases.loadFixture()
    let build = try #require(LanguageFunctionCases.cases.first { $0.0 == name }?.1)
    let expected = try #require(fixture.cases[name])
    let graph = try LanguageFunctionCases.graph(build, fixture: fixture, dtype: dtype)
    let compiled = try Pipeline.compile(graph, options: CompileOptions(backend: backend))
    let used = Set(compiled.inputs.map(\.name))
    let inputs = fixture.inputs.filter { used.contains($0.key) }.mapValues { $0.tensor(dtype) }
    let got = try #require(try compiled.run(inputs)["out"])
    #expect(got.shape == expected.shape)
    let tolerance = dtype == .f64 ? 1e-12 : 1e-5
    for (g, e) in zip(got.scalars, expected.data) {
      #expect(
        abs(g - e) <= tolerance * max(1, abs(e)),
        "\(name) \(dtype) \(backend): got \(g), NumPy \(e)")
    }
  }
}

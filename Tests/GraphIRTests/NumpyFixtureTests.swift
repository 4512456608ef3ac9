import GraphIR
import GraphTestSupport
import Testing

/// The interpreter against NumPy, for every language function, in f64 and f32.
@Suite struct NumpyFixtureTests {
  static let names = LanguageFunctionCases.cases.map(\.0)

  @Test(arguments: names, [DType.f64, .f32])
  func interpreterMatchesNumpy(name: String, dtype: DType) throws {
    let fixture = try LanguageFunctionCases.loadFixture()
    let build = try #require(LanguageFunctionCases.cases.first { $0.0 == name }?.1)
    let expected = try #require(fixture.cases[name])
    let graph = try LanguageFunctionCases.graph(build, fixture: fixture, dtype: dtype)
    let inputs = fixture.inputs.mapValues { $0.tensor(dtype) }
    let got = try #require(try Interpreter.run(graph, inputs)["out"])
    #expect(got.shape == expected.shape)
    let tolerance = dtype == .f64 ? 1e-12 : 1e-5
    for (g, e) in zip(got.scalars, expected.data) {
      #expect(abs(g - e) <= tolerance * max(1, abs(e)), "\(name): got \(g), NumPy \(e)")
    }
  }
}

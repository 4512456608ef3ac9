import GraphIR
import GraphLanguage
import Testing

/// Statements: declarations, definitions, outputs, comments, slicing.
@Suite struct StatementTests {
  @Test func outputsKeepTheirOrderAcrossLines() throws {
    let source = """
      # comment line

      input x   # trailing comment
      b = x + 1
      a = x * 2
      output b
      output a, x
      """
    let graph = try GraphParser.parse(source)
    #expect(graph.outputs.map(\.name) == ["b", "a", "x"])
    let out = try Interpreter.run(graph, ["x": Tensor(5)])
    #expect(out["b"] == Tensor(6) && out["a"] == Tensor(10) && out["x"] == Tensor(5))
  }

  @Test func outputMayPrecedeDefinition() throws {
    #expect(try scalar("output f\ninput x\nf = x + 1", ["x": Tensor(1)]) == 2)
  }

  @Test func declarationsRecordTypesAndPositions() throws {
    let file = try GraphParser.parseFile(
      "input x: f32[128, 784]\n  param w: f64[2] = ones\noutput w")
    #expect(
      file.declarations == [
        Declaration(
          name: "x", kind: .input, type: TensorType(.f32, [128, 784]),
          position: .init(line: 1, column: 7)),
        Declaration(
          name: "w", kind: .param, type: TensorType(.f64, [2]), position: .init(line: 2, column: 9)),
      ])
  }

  @Test(arguments: [
    ("3", Initializer.fill(3)), ("-0.5", .fill(-0.5)), ("zeros", .fill(0)), ("ones", .fill(1)),
    ("normal(0.1)", .normal(std: 0.1)), ("uniform(-1, 1)", .uniform(low: -1, high: 1)),
  ])
  func paramInitializers(source: String, expected: Initializer) throws {
    let graph = try GraphParser.parse("param w: f32[2, 3] = \(source)\noutput w")
    #expect(graph.initializers["w"] == expected)
  }

  @Test func paramWithoutInitializerIsZeros() throws {
    let graph = try GraphParser.parse("param w\noutput w")
    #expect(graph.initializers["w"] == .fill(0))
    #expect(try Interpreter.run(graph, [:])["w"] == Tensor(0))
  }

  @Test func keywordsAreOrdinaryNamesBeforeEquals() throws {
    #expect(
      try evaluate("input x\ninput = x + 1\noutput input", ["x": Tensor(1)])["input"] == Tensor(2))
  }

  @Test func definitionsAreLabelled() throws {
    let graph = try GraphParser.parse("input x\nhidden = exp(x)\nf = hidden + 1\noutput f")
    #expect(Set(graph.labels.values) == ["x", "hidden", "f"])
  }

  @Test func namedLiteralOutputIsF64() throws {
    #expect(try evaluate("c = 2 * 3\noutput c")["c"] == Tensor(6))
  }

  @Test(arguments: [
    ("a[1:]", [1, 3], [4.0, 5, 6]),
    ("a[:, 1:3]", [2, 2], [2, 3, 5, 6]),
    ("a[:-1]", [1, 3], [1, 2, 3]),
    ("a[0]", [3], [1, 2, 3]),
    ("a[:, 0]", [2], [1, 4]),
    ("a[1, -1]", [], [6]),
    ("a[0][1:]", [2], [2, 3]),
    ("a[:, :]", [2, 3], [1, 2, 3, 4, 5, 6]),
    ("a[-5:10, 2]", [2], [3, 6]),
    ("(a * 2)[1, 1:2]", [1], [10]),
    ("a[:, ::2]", [2, 2], [1, 3, 4, 6]),
    ("a[::-1]", [2, 3], [4, 5, 6, 1, 2, 3]),
    ("a[:, ::-1]", [2, 3], [3, 2, 1, 6, 5, 4]),
    ("a[1, 2:0:-1]", [2], [6, 5]),
    ("a[:, -1::-2]", [2, 2], [3, 1, 6, 4]),
    ("a[:, 0:3:5]", [2, 1], [1, 4]),
    ("a[:, 2:0:1]", [2, 0], []),
    ("a[:, ::]", [2, 3], [1, 2, 3, 4, 5, 6]),
    ("a[:, 1::]", [2, 2], [2, 3, 5, 6]),
    ("a[::-1, ::-1][0]", [3], [6, 5, 4]),
  ])
  func slicing(source: String, shape: [Int], scalars: [Double]) throws {
    let out = try evaluate(
      "input a: f64[2, 3]\nf = \(source)\noutput f", ["a": tensor([2, 3], [1, 2, 3, 4, 5, 6])])
    #expect(out["f"] == tensor(shape, scalars))
  }

  /// The new elementwise functions and running sums, against values from SciPy and by hand.
  @Test(arguments: [
    ("erf(a)", [0.8427007929497149, 0.9953222650189527, 0.9999779095030014]),
    ("gelu(a)", [0.8413447460685429, 1.9544997361036416, 2.99595030590511]),
    ("lgamma(a)", [0, 0, 0.6931471805599453]),
    ("digamma(a)", [-0.5772156649015329, 0.42278433509846713, 0.9227843350984671]),
    ("cumsum(a, 0)", [1, 3, 6]),
    ("cumsum(a, -1)", [1, 3, 6]),
  ])
  func newFunctions(source: String, scalars: [Double]) throws {
    let out = try evaluate(
      "input a: f64[3]\nf = \(source)\noutput f", ["a": tensor([3], [1, 2, 3])])
    let got = try #require(out["f"])
    for (g, e) in zip(got.scalars, scalars) {
      #expect(Swift.abs(g - e) <= 1e-15 * Swift.max(1, Swift.abs(e)), "\(source)")
    }
  }

  @Test func crlfLineEndingsAndTabs() throws {
    #expect(try scalar("input x\r\n\tf =\tx * 2\r\noutput f\r\n", ["x": Tensor(4)]) == 8)
  }
}

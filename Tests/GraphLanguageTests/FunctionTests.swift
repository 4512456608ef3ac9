import GraphIR
import GraphLanguage
import Testing

/// Every function of the language, evaluated through the interpreter against values worked
/// out independently (by hand or with a calculator to 16 digits).
@Suite struct FunctionTests {
  @Test(arguments: [
    ("exp(x)", 1.6487212707001282),
    ("log(x)", -0.6931471805599453),
    ("sin(x)", 0.479425538604203),
    ("cos(x)", 0.8775825618903728),
    ("tan(x)", 0.5463024898437905),
    ("tanh(x)", 0.46211715726000974),
    ("sigmoid(x)", 0.6224593312018546),
    ("relu(x)", 0.5),
    ("relu(-x)", 0),
    ("sqrt(x)", 0.7071067811865476),
    ("abs(-x)", 0.5),
    ("square(x)", 0.25),
    ("pow(x, 3)", 0.125),
    ("max(x, 2)", 2),
    ("min(x, 2)", 0.5),
    ("where(x > 0, 1, -1)", 1),
    ("where(x < 0, 1, -1)", -1),
    ("sum(x)", 0.5),
    ("mean(x)", 0.5),
  ])
  func scalarFunctionsAtOneHalf(source: String, expected: Double) throws {
    #expect(close(try scalar("input x\nf = \(source)\noutput f", ["x": Tensor(0.5)]), expected))
  }

  @Test func literalOnlyCallsFoldAndMeetF32() throws {
    let graph = try GraphParser.parse("input x: f32\nf = x * exp(0) + sigmoid(0)\noutput f")
    #expect(graph[graph.outputs[0].node].type == .scalar(.f32))
    #expect(
      try Interpreter.run(graph, ["x": Tensor(2, dtype: .f32)])["f"] == Tensor(2.5, dtype: .f32))
  }

  static let a = tensor([2, 3], [1, 2, 3, 4, 5, 6])

  @Test(arguments: [
    ("sum(a)", [], [21.0]),
    ("sum(a, 0)", [3], [5, 7, 9]),
    ("sum(a, -1)", [2], [6, 15]),
    ("mean(a)", [], [3.5]),
    ("mean(a, 1)", [2], [2, 5]),
    ("reduce_max(a, 0)", [3], [4, 5, 6]),
    ("reduce_max(a, -1)", [2], [3, 6]),
    ("reduce_max(a)", [], [6]),
    ("transpose(a)", [3, 2], [1, 4, 2, 5, 3, 6]),
    ("reshape(a, [3, -1])", [3, 2], [1, 2, 3, 4, 5, 6]),
    ("reshape(a, [6])", [6], [1, 2, 3, 4, 5, 6]),
    ("concat(a, a, 0)", [4, 3], [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]),
    ("concat(a, -a, -1)", [2, 6], [1, 2, 3, -1, -2, -3, 4, 5, 6, -4, -5, -6]),
    ("a @ transpose(a)", [2, 2], [14, 32, 32, 77]),
  ])
  func tensorFunctions(source: String, shape: [Int], scalars: [Double]) throws {
    let out = try evaluate("input a: f64[2, 3]\nf = \(source)\noutput f", ["a": Self.a])
    #expect(out["f"] == tensor(shape, scalars))
  }

  /// Row [1, 2, 3]: logsumexp = 3 + log(1 + e^-1 + e^-2) = 3.40760596444438; row [4, 5, 6]
  /// is the same plus 3. softmax and log_softmax follow from it.
  @Test func logsumexpSoftmaxLogSoftmax() throws {
    let source = """
      input a: f64[2, 3]
      l = logsumexp(a, 1)
      s = softmax(a, -1)
      ls = log_softmax(a, 1)
      output l, s, ls
      """
    let out = try evaluate(source, ["a": Self.a])
    let lse = 3.40760596444438
    let l = out["l"]?.scalars ?? []
    #expect(l.count == 2 && close(l[0], lse) && close(l[1], lse + 3))
    let soft = [0.09003057317038046, 0.24472847105479764, 0.6652409557748219]
    let s = out["s"]?.scalars ?? []
    #expect(s.count == 6 && zip(s, soft + soft).allSatisfy { close($0, $1) })
    let logSoft = [-2.40760596444438, -1.40760596444438, -0.40760596444438]
    let ls = out["ls"]?.scalars ?? []
    #expect(ls.count == 6 && zip(ls, logSoft + logSoft).allSatisfy { close($0, $1) })
  }

  /// Two examples: equal logits give log 2; logits [0, ln 3] with the second class give
  /// -log(3/4) = 0.2876820724517809. The mean is their average.
  @Test func crossEntropy() throws {
    let source = "input z: f64[2, 2]\ninput y: f64[2, 2]\nf = cross_entropy(z, y)\noutput f"
    let out = try evaluate(
      source,
      ["z": tensor([2, 2], [0, 0, 0, 1.0986122886681098]), "y": tensor([2, 2], [1, 0, 0, 1])])
    #expect(close(out["f"]?.scalar, (0.6931471805599453 + 0.2876820724517809) / 2))
  }

  @Test func matmulVectorRules() throws {
    let source =
      "input a: f64[2, 3]\ninput v: f64[3]\ninput w: f64[2]\np = a @ v\nq = w @ a\nr = v @ v\noutput p, q, r"
    let out = try evaluate(
      source, ["a": Self.a, "v": tensor([3], [1, 0, -1]), "w": tensor([2], [1, 1])])
    #expect(out["p"] == tensor([2], [-2, -2]))
    #expect(out["q"] == tensor([3], [5, 7, 9]))
    #expect(out["r"] == Tensor(2))
  }

  @Test func broadcastingFollowsNumPy() throws {
    let source = "input a: f64[2, 3]\ninput b: f64[3]\ninput c: f64[2, 1]\nf = a * b + c\noutput f"
    let out = try evaluate(
      source, ["a": Self.a, "b": tensor([3], [1, 0, -1]), "c": tensor([2, 1], [10, 20])])
    #expect(out["f"] == tensor([2, 3], [11, 10, 7, 24, 20, 14]))
  }

  @Test func ieeeSemanticsAtRunTime() throws {
    let out = try evaluate("input x\na = log(-x)\nb = x / 0\noutput a, b", ["x": Tensor(1)])
    #expect(out["a"]?.scalar?.isNaN == true)
    #expect(out["b"] == Tensor(.infinity))
  }
}

import GraphIR
import GraphLanguage
import Testing

/// `grad(y, name)` treats the named value as an independent variable: only the uses of
/// that name carry its gradient, even where an identical expression appears elsewhere.
@Suite struct GradOfNamedValueTests {
  static func value(_ source: String, _ x: Double, _ output: String = "g") throws -> Double? {
    let graph = try GraphParser.parse(source, fileName: "t.graph")
    return try Interpreter.run(graph, ["x": Tensor(x)])[output]?.scalar
  }

  @Test func identicalDefinitionsStaySeparate() throws {
    // l = a*b with a = b = 2x: dl/da holding b fixed is b = 6 at x = 3 (not a + b = 12).
    let source = "input x\na = x * 2\nb = x * 2\nl = a * b\ng = grad(l, a)\noutput g\n"
    #expect(try Self.value(source, 3) == 6)
  }

  @Test func inlineCopyOfADefinitionIsNotTheDefinition() throws {
    let source = "input x\na = x * 2\nl = a * (x * 2)\ng = grad(l, a)\noutput g\n"
    #expect(try Self.value(source, 3) == 6)
  }

  @Test func aliasOfAnInputIsItsOwnVariable() throws {
    // l = a * x with a = x: dl/da holding x fixed is x; for the input x the derivative is
    // the total one, through a as well: 2x.
    let source = "input x\na = x\nl = a * x\ng = grad(l, a)\nh = grad(l, x)\noutput g, h\n"
    #expect(try Self.value(source, 3) == 3)
    #expect(try Self.value(source, 3, "h") == 6)
  }

  @Test func unrolledGradientDescent() throws {
    // l(w) = (w - 5)^2, two steps of size 0.25 from w0 = x: w1 = w0 - 0.5*(w0-5), ...
    let source = """
      input x
      w0 = x
      l0 = (w0 - 5)^2
      w1 = w0 - 0.25 * grad(l0, w0)
      l1 = (w1 - 5)^2
      w2 = w1 - 0.25 * grad(l1, w1)
      g = grad((w2 - 5)^2, x)
      output w2, g
      """
    #expect(try Self.value(source, 1, "w2") == 4)  // 1 -> 3 -> 4
    #expect(try Self.value(source, 1) == -0.5)  // d/dx (x/4 + 15/4 - 5)^2 = 2*(w2-5)/4
  }
}

import Foundation
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

  @Test func anAliasIsTheSameValue() throws {
    // a = x names x itself: l = a * x = x^2, so dl/da = dl/dx = 2x = 6 at x = 3.
    let source = "input x\na = x\nl = a * x\ng = grad(l, a)\nh = grad(l, x)\noutput g, h\n"
    #expect(try Self.value(source, 3) == 6)
    #expect(try Self.value(source, 3, "h") == 6)
  }

  @Test func aliasChainsAndParenthesesAreTheSameValue() throws {
    // z = t = x: grad(z^2, t) = grad(z^2, x) = 2x; grad of the first result again through
    // an alias of it: d/dx (2x)^2 = 8x.
    let source = """
      input x
      t = x
      z = t
      g = grad(z^2, t)
      k = g
      h = grad(k^2, x)
      output g, h
      """
    #expect(try Self.value(source, 3) == 6)
    #expect(try Self.value(source, 3, "h") == 24)
  }

  @Test func aParenthesisedNameIsAnAlias() throws {
    // z = (t) and w = t both name t: y = t^3, so both gradients are 3t^2 = 27 at t = 3; the
    // same for a named number: u = ((c)) with c = 3, d/du (u*c) = 2c = 6.
    let source = """
      input x
      z = (x)
      w = x
      y = z * w * x
      g = grad(y, z)
      h = grad(y, w)
      c = 3
      u = ((c))
      k = grad(u * c, u)
      output g, h, k
      """
    #expect(try Self.value(source, 3) == 27)
    #expect(try Self.value(source, 3, "h") == 27)
    #expect(try Self.value(source, 3, "k") == 6)
  }

  @Test func aGradientThroughADefinitionIsNotAUseOfTheName() throws {
    // l = sum(tanh(x)) (a scalar, so the sum is tanh itself); g = grad(l, x) = 1 - tanh(x)^2
    // is a function of x, not of l as an independent variable: d/dl (g * 5) = 0, while
    // d/dl (l * g) = g.
    let source = """
      input x
      l = sum(tanh(x))
      g = grad(l, x)
      h = grad(g * 5, l)
      k = grad(l * g, l)
      output h, k
      """
    let t = tanh(0.5)
    #expect(try Self.value(source, 0.5, "h") == 0)
    #expect(abs((try Self.value(source, 0.5, "k") ?? 0) - (1 - t * t)) < 1e-15)
  }

  @Test func aNameForAnExistingValueStaysAUseOfIt() throws {
    // u = t*1 is t itself after simplification, but u is its own name: d/dt u^2 = 2t = 12.
    let source = "input x\nt = x * 2\nu = t * 1\ng = grad(u^2, t)\nh = grad(u^2, u)\noutput g, h\n"
    #expect(try Self.value(source, 3) == 12)
    #expect(try Self.value(source, 3, "h") == 12)
  }

  @Test func aNamedNumberCanBeDifferentiatedAgainst() throws {
    // t = 10: grad(t, t) = 1; c = 2 with u = c an alias: d/dc (x*c) = x; d/du (c^2) = 2c.
    let source = """
      input x
      t = 10
      one = grad(t, t)
      c = 2
      u = c
      g = grad(x * c, c)
      h = grad(c^2, u)
      output one, g, h
      """
    #expect(try Self.value(source, 3, "one") == 1)
    #expect(try Self.value(source, 3) == 3)
    #expect(try Self.value(source, 3, "h") == 4)
  }

  @Test func aNamedNumberTakesTheDtypeOfWhatItMeets() throws {
    // s = 0.5 meets an f32 input; its gradient is f32 like y: d/ds (x*s^2) = 2*x*s = 3.
    let source = "input x: f32\ns = 0.5\ny = x * s^2\ng = grad(y, s)\noutput g\n"
    let graph = try GraphParser.parse(source, fileName: "t.graph")
    let result = try Interpreter.run(graph, ["x": Tensor(3, dtype: .f32)])
    #expect(result["g"]?.scalar == 3)
    #expect(graph[graph.outputs[0].node].type.dtype == .f32)
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

  @Test func onlyGradTargetsGetTheirOwnNode() throws {
    // Naming a value no `grad` differentiates against adds no node (the parse of a long file
    // of definitions stays as small as the inline expression); a target gets its identity.
    let named = try GraphParser.parse("input x\na = sin(x)\nb = a * 2\noutput b\n")
    let inline = try GraphParser.parse("input x\nb = sin(x) * 2\noutput b\n")
    #expect(named.nodes.count == inline.nodes.count)
    let source = "input x\na = sin(x)\nb = a * 2\ng = grad(b, a)\noutput g\n"
    #expect(try GraphParser.parse(source).nodes.contains { $0.op == .reshape })
  }
}

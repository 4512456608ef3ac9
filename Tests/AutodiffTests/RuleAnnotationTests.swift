import Autodiff
import GraphIR
import Testing

/// Backward nodes carry the name of the rule that built them, through simplification.
@Suite struct RuleAnnotationTests {
  @Test func productAndChainRulesAreRecorded() throws {
    let b = GraphBuilder()
    let x = try b.input("x")
    let f = try sin(x ** 2 * tanh(x))
    b.outputs(["f": f, "df": try grad(f, x)])
    let graph = Simplify.run(b.graph)
    let rules = Set(graph.rules.values)
    #expect(rules.contains("product rule"))
    #expect(rules.contains("chain rule through tanh"))
    #expect(rules.contains("power rule"))
    #expect(rules.contains("chain rule through sin"))
    // Forward nodes carry none.
    for id in graph.ids where id <= graph.outputs[0].node { #expect(graph.rules[id] == nil) }
    #expect(graph.text.contains("# product rule") || graph.text.contains("; product rule"))
  }
}

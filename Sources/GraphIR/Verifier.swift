/// Checks the graph invariants every pass relies on.
public enum Verifier {
  /// Verifies that operands precede their users, types satisfy the shape rules, and
  /// outputs exist. Returns a description of the first violation, or nil.
  public static func check(_ graph: Graph) -> String? {
    for id in graph.ids {
      let node = graph[id]
      for input in node.inputs where input >= id {
        return "operand \(input) does not precede its user:\n\(graph.context(around: id))"
      }
      do {
        let expected = try ShapeRules.resultType(
          node.op, node.inputs.map { graph[$0].type }, requested: node.type, opName: node.op.name)
        if expected != node.type {
          return "type \(node.type) should be \(expected):\n\(graph.context(around: id))"
        }
      } catch {
        return "\(error):\n\(graph.context(around: id))"
      }
      if let problem = checkLoop(graph, id) { return problem }
    }
    for output in graph.outputs where output.node.index >= graph.nodes.count {
      return "output \(output.name) refers to missing node \(output.node)"
    }
    return nil
  }

  /// For a loop, its body's problems; for a loop's result, that it reads a loop's existing
  /// result with that result's type.
  private static func checkLoop(_ graph: Graph, _ id: NodeID) -> String? {
    let node = graph[id]
    switch node.op {
    case .loop(let loop):
      guard let problem = check(loop.body.graph) else { return nil }
      return "in the body of the loop \(id): \(problem)"
    case .result(let index):
      guard case .loop(let loop) = graph[node.inputs[0]].op, index < loop.resultTypes.count,
        loop.resultTypes[index] == node.type
      else { return "a result that is no loop's result:\n\(graph.context(around: id))" }
      return nil
    default:
      return nil
    }
  }

  /// Stops with the graph around the fault when an invariant is broken (a compiler bug).
  public static func verify(_ graph: Graph, after pass: String) {
    if let problem = check(graph) { preconditionFailure("invalid graph after \(pass): \(problem)") }
  }
}

import GraphIR

/// `grad` inside a loop body with respect to a value of the file (an "outer" name).
///
/// In the loop unrolled by hand, that derivative follows the value through every earlier
/// iteration: when a carry, a scanned row or another captured value the differentiated
/// expression reads depends on it, the derivative at iteration t holds the derivatives of
/// iterations before t, which may hold this very derivative again. graphc differentiates
/// within the body, holding the body's other parameters fixed, which is the unrolled
/// derivative exactly when the expression reads no parameter that depends on the value. So
/// every such `grad` is recorded (`OuterGradient`) and checked once the outermost loop
/// around it is built, when the carries of every enclosing loop are known; one that reads a
/// dependent parameter is the located error it would otherwise be.
struct OuterGradient {
  /// The loop nodes around the `grad`, outermost first (each in the body of the one
  /// before); filled in as each loop is built.
  var path: [NodeID] = []
  /// The differentiated expression, in the innermost body.
  let y: NodeID
  /// The value's parameter in the innermost body.
  let parameter: NodeID
  /// The value in the file's graph.
  let value: NodeID
  let name: String
  let function: String
  let position: SourcePosition
}

extension Parser {
  /// The value of the file that `node`, a node of the innermost loop body, stands for when it
  /// is a captured value's parameter there (through every enclosing body); else nil.
  func fileValue(capturedAs node: NodeID) -> NodeID? {
    guard !loopLevels.isEmpty else { return nil }
    var id = node
    for level in loopLevels.indices.reversed() {
      guard let outer = loopLevels[level].captured.first(where: { $0.value == id })?.key else {
        return nil
      }
      id = outer
    }
    return id
  }

  /// Hands the `grad`s recorded in the body just built as `loopNode` (nil when the loop
  /// vanished, as a loop of no iterations does) to the enclosing body, or checks them when
  /// the body was the outermost one and `outer` is the file's graph.
  mutating func settleOuterGradients(_ sites: [OuterGradient], loopNode: NodeID?, in outer: Graph)
    throws
  {
    guard let loopNode else { return }  // the body never runs: its derivatives are unused
    let placed = sites.map { site in
      var site = site
      site.path.insert(loopNode, at: 0)
      return site
    }
    if loopLevels.count >= 2 {
      loopLevels[loopLevels.count - 2].outerGradients += placed
      return
    }
    for site in placed where Self.readsDependentParameter(site, in: outer) {
      throw error(
        "'\(site.function)' inside a loop body differentiates with respect to '\(site.name)', a "
          + "value defined outside it, an expression that also reads a carry or another value of "
          + "the loop that depends on '\(site.name)': the derivative would have to follow "
          + "'\(site.name)' through every earlier iteration (not supported: take the "
          + "derivative outside the loop, or pass '\(site.name)' in as a carry to hold the "
          + "earlier iterations fixed)", at: site.position)
    }
  }

  /// Whether the site's expression reads a parameter of its body, other than the value's
  /// own, whose value depends on the file's value in some iteration.
  static func readsDependentParameter(_ site: OuterGradient, in file: Graph) -> Bool {
    var graph = file
    var dependent = dependents(of: [site.value], in: graph)
    for (depth, loopNode) in site.path.enumerated() {
      guard case .loop(let loop) = graph[loopNode].op else {
        preconditionFailure("an outer gradient's path names \(loopNode), not a loop")
      }
      let operands = graph[loopNode].inputs
      var seeds = Set(
        loop.body.parameters.indices.filter { dependent[operands[$0].index] }.map {
          loop.body.parameters[$0]
        })
      // A carry depends on the value when its new value does, given the others: iterate to
      // the fixed point (each round adds a carry or stops).
      while true {
        let inside = dependents(of: seeds, in: loop.body.graph)
        let more = (0..<loop.carries).filter {
          inside[loop.body.graph.outputs[$0].node.index]
            && !seeds.contains(loop.body.parameters[$0])
        }
        if more.isEmpty {
          dependent = inside
          break
        }
        seeds.formUnion(more.map { loop.body.parameters[$0] })
      }
      graph = loop.body.graph
      if depth == site.path.count - 1 {
        seeds.remove(site.parameter)
        return dependents(of: seeds, in: graph)[site.y.index]
      }
    }
    preconditionFailure("an outer gradient with no loop around it")
  }

  /// For each node of `graph`, whether it depends on one of `seeds` (a loop node on any of
  /// its operands, as a conservative bound).
  static func dependents(of seeds: Set<NodeID>, in graph: Graph) -> [Bool] {
    var result = [Bool](repeating: false, count: graph.nodes.count)
    for (k, node) in graph.nodes.enumerated() {
      result[k] = seeds.contains(NodeID(k)) || node.inputs.contains { result[$0.index] }
    }
    return result
  }
}

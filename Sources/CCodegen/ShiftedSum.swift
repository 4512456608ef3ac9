import GraphIR

/// A sum of zero-padded copies of same-shaped values, each shifted by a constant offset:
/// `add(pad(u, low: [0], high: [1]), pad(v, low: [1], high: [0]))`, the gradient of a value
/// read through overlapping slices.
///
/// Such a node is written by the loop over the operands' index space `space` that computes
/// the operands, scattering each into place (`KernelWriter.writeShiftedSum`), instead of
/// storing the operands and reading them back in a second pass over the result.
public struct ShiftedSum: Hashable, Sendable {
  /// One padded operand: the value and where its element 0 lands in the result.
  public struct Term: Hashable, Sendable {
    public var node: NodeID
    public var low: [Int]
  }

  /// The operands, the one assigned with `=` first (see `ordered(in:)`), then the others.
  public var terms: [Term]
  /// The shape of every operand: the loop's index space.
  public var space: [Int]
  /// The pad nodes of the sum, which are never evaluated on their own.
  public var pads: Set<NodeID>

  /// Every node that is an add tree of zero pads of non-constant operands of one shape,
  /// whose interior adds and pads have no other use (so nothing else needs them evaluated),
  /// and that is not itself inside a larger such tree.
  ///
  /// Linear in the graph: one pass, operands first, finds which adds head such a tree (and
  /// the operands' shape), then each outermost tree is walked once.
  static func find(_ graph: Graph) -> [NodeID: ShiftedSum] {
    let uses = graph.useCounts()
    // For each add heading a tree of pads, the shape of the padded operands.
    var space: [NodeID: [Int]] = [:]
    for id in graph.ids {
      guard case .add = graph[id].op else { continue }
      let shapes = graph[id].inputs.map { input -> [Int]? in
        guard uses[input.index] == 1 else { return nil }
        if case .add = graph[input].op { return space[input] }
        return paddedOperand(graph, input).map { graph[$0.node].type.shape }
      }
      if let first = shapes[0], shapes.allSatisfy({ $0 == first }) { space[id] = first }
    }
    var found: [NodeID: ShiftedSum] = [:]
    var inside = Set<NodeID>()
    for id in graph.ids.reversed() {
      guard let shape = space[id], !inside.contains(id) else { continue }
      var terms: [Term] = []
      var pads = Set<NodeID>()
      var stack = graph[id].inputs
      while let leaf = stack.popLast() {
        if let term = paddedOperand(graph, leaf) {
          terms.append(term)
          pads.insert(leaf)
        } else {
          inside.insert(leaf)
          stack.append(contentsOf: graph[leaf].inputs)
        }
      }
      // A result of the operands' own shape (all pads empty) is an ordinary elementwise sum.
      guard graph[id].type.shape != shape else { continue }
      found[id] = ShiftedSum(terms: ordered(terms, in: shape), space: shape, pads: pads)
    }
    return found
  }

  /// For a zero pad of a non-constant operand, that operand and its offset; else nil.
  private static func paddedOperand(_ graph: Graph, _ id: NodeID) -> Term? {
    let node = graph[id]
    guard case .pad(let low, let high) = node.op,
      graph[node.inputs[0]].op.constantValue == nil, (low + high).allSatisfy({ $0 >= 0 })
    else { return nil }
    return Term(node: node.inputs[0], low: low)
  }

  /// The terms with the one of largest row-major shift first.
  ///
  /// Why that one may be stored with `=` and the rest added with `+=`: in iteration `i`
  /// (a point of `space`) term `t` writes result element `e = i + low_t`. An element that
  /// both the first term and term `t` write is reached by the first term in iteration
  /// `e - low_0` and by `t` in iteration `e - low_t`, whose row-major offsets in `space`
  /// differ by `offset(low_0 - low_t) >= 0`. So `t` adds to the element in the same
  /// iteration (after the `=`, which comes first in the body) or a later one, never before
  /// the `=` overwrites it. (Equal offsets mean equal shifts: both points lie in `space`, so
  /// each coordinate differs by less than its extent.) Elements the first term never
  /// writes are zeroed before the loop.
  private static func ordered(_ terms: [Term], in space: [Int]) -> [Term] {
    let strides = contiguousStrides(space)
    func offset(_ t: Term) -> Int { zip(t.low, strides).map { $0 * $1 }.reduce(0, +) }
    guard let first = terms.indices.max(by: { offset(terms[$0]) < offset(terms[$1]) })
    else { return terms }
    var rest = terms
    rest.remove(at: first)
    return [terms[first]] + rest
  }
}

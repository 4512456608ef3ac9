import GraphIR

/// A matrix product used only through `add(matmul(a, b), broadcast(bias))` (a dense layer
/// before its activation), with `bias` a row of the product's width.
///
/// Its kernel stores the biased value instead of the bare product: C is initialised with
/// the bias rows and the product accumulated onto it (gemm with beta = 1). The activation
/// and its gradient's mask then read the stored value in flat loops, with no bias add and
/// no broadcast index arithmetic.
public struct BiasedMatmul: Hashable, Sendable {
  /// The product, which gets no buffer of its own.
  public var product: NodeID
  /// The vector broadcast over the rows (shape `[m]` or `[1, m]`).
  public var bias: NodeID

  /// Every add node that is a biased product, by add node.
  static func find(_ graph: Graph) -> [NodeID: BiasedMatmul] {
    var uses = [Int](repeating: 0, count: graph.nodes.count)
    for id in graph.ids { for input in graph[id].inputs { uses[input.index] += 1 } }
    for output in graph.outputs { uses[output.node.index] += 1 }
    var found: [NodeID: BiasedMatmul] = [:]
    for id in graph.ids {
      guard case .add = graph[id].op else { continue }
      let inputs = graph[id].inputs
      for (p, b) in [(inputs[0], inputs[1]), (inputs[1], inputs[0])] {
        guard case .matmul = graph[p].op, uses[p.index] == 1, graph[p].type.rank == 2,
          case .broadcast = graph[b].op
        else { continue }
        let bias = graph[b].inputs[0]
        let m = graph[p].type.shape[1]
        guard graph[bias].op.constantValue == nil, graph[bias].type.count == m,
          graph[bias].type.shape.last == m
        else { continue }
        found[id] = BiasedMatmul(product: p, bias: bias)
        break
      }
    }
    return found
  }
}

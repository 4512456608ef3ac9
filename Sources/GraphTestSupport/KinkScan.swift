import GraphIR

/// The nodes of an evaluated graph that sit on a kink: where a derivative follows a
/// convention (`relu'(0) = 0`, ties of `max` split ½ each) rather than being the derivative,
/// and where a rounding difference can flip a result (the sign of `abs` at 0).
///
/// A node is on a kink when, at the evaluated point, `abs` has an operand element within
/// `tolerance` of 0, or `max`, `min` or a comparison (and so `relu`, `where`) has two
/// different operands with elements within `tolerance * max(1, |a|, |b|)` of each other, or
/// `reduce_max` has more input elements near its maxima than it has results (a tie).
/// (`tolerance`, 1e-10 by default, also covers values that are zero up to rounding, which
/// the kernels and the interpreter may round to different sides.) Random programs reach such
/// points when a value is exactly zero by construction (a mask, the gradient of something
/// that does not depend on the variable), which no choice of inputs avoids.
public struct KinkScan {
  private let graph: Graph
  private let onKink: [Bool]

  /// Scans `graph` with `values`, the interpreter's value of every node.
  public init(_ graph: Graph, _ values: [Tensor], tolerance: Double = 1e-10) {
    self.graph = graph
    func near(_ a: Double, _ b: Double) -> Bool {
      Swift.abs(a - b) <= tolerance * Swift.max(1, Swift.abs(a), Swift.abs(b))
    }
    // Pairs of elements of two operands, broadcasting a single element.
    func anyTie(_ x: Tensor, _ y: Tensor) -> Bool {
      if x.scalars.count == y.scalars.count {
        return zip(x.scalars, y.scalars).contains(where: near)
      }
      if x.scalars.count == 1 { return y.scalars.contains { near(x.scalars[0], $0) } }
      if y.scalars.count == 1 { return x.scalars.contains { near($0, y.scalars[0]) } }
      return x.scalars.contains { a in y.scalars.contains { near(a, $0) } }
    }
    onKink = graph.ids.map { id in
      let node = graph[id]
      let operands = node.inputs.map { values[$0.index] }
      switch node.op {
      case .abs: return operands[0].scalars.contains { near($0, 0) }
      case .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual:
        // One node on both sides (`max(x, x)`, `x < x`) is no kink: the result moves with x
        // on either side, and the split of a tie adds up to the derivative.
        return node.inputs[0] != node.inputs[1] && anyTie(operands[0], operands[1])
      case .reduceMax:
        let maxima = values[id.index].scalars
        let close = operands[0].scalars.filter { x in maxima.contains { near(x, $0) } }
        return close.count > maxima.count
      default: return false
      }
    }
  }

  /// Whether `node` or anything it is computed from is on a kink.
  public func reaches(_ node: NodeID) -> Bool {
    var needed = [Bool](repeating: false, count: node.index + 1)
    needed[node.index] = true
    for id in graph.ids.prefix(node.index + 1).reversed() where needed[id.index] {
      if onKink[id.index] { return true }
      for input in graph[id].inputs { needed[input.index] = true }
    }
    return false
  }
}

/// A loop node's description: its trip count and its body, a graph of its own.
///
/// The loop node's operands are the initial carries (`carries` of them), then the scanned
/// values (`slices` of them, each with `count` rows along its first axis), then the captured
/// values (the rest): outer values the body reads as constants.
///
/// The body's arguments are inputs named `p0`, `p1`, ... (`parameterName`), declared in that
/// same order: one per carry, one per scanned value (one row of it), one per captured value.
/// Its outputs are the new carries (of the carries' types) followed by the per-step values.
///
/// Iteration `t` (0 ..< `count`) runs the body on the carries, row `t` of each scanned value
/// and the captured values. The loop's results, each read through an `Op.result(i)` node, are
/// the final carries followed by each per-step value stacked along a new first axis of length
/// `count`. A `reverse` loop walks the rows the other way: iteration `t` reads row
/// `count - 1 - t` and its per-step values become that row of the stacks (reverse mode runs
/// its backward loops so, without reversed copies). A loop of count 0 returns its initial
/// carries (and empty stacks). `repeat` is a loop without slices or per-step values; `scan`
/// one with at least one slice.
public struct GraphLoop: Hashable, Sendable {
  /// How many iterations.
  public var count: Int
  /// How many carries.
  public var carries: Int
  /// How many scanned values.
  public var slices: Int
  /// True when the iterations walk the rows from the last to the first.
  public var reverse: Bool
  /// The body.
  public var body: LoopBody

  public init(count: Int, carries: Int, slices: Int, reverse: Bool = false, body: Graph) {
    self.count = count
    self.carries = carries
    self.slices = slices
    self.reverse = reverse
    self.body = LoopBody(graph: body)
  }

  /// The row iteration `t` reads and writes.
  public func row(_ t: Int) -> Int { reverse ? count - 1 - t : t }

  /// The loop node's own type: empty, since its values are read through `.result(i)`.
  public static let nodeType = TensorType(.f64, [0])

  /// The name of the body's `i`-th argument.
  public static func parameterName(_ i: Int) -> String { "p\(i)" }

  /// How many captured values.
  public var captures: Int { body.parameters.count - carries - slices }

  /// How many per-step values the body returns besides its carries.
  public var stacked: Int { body.graph.outputs.count - carries }

  /// The types of the loop's results: the carries' types, then each per-step value's type
  /// with a new first axis of length `count`.
  public var resultTypes: [TensorType] {
    body.graph.outputs.enumerated().map { k, output in
      let type = body.graph[output.node].type
      return k < carries ? type : TensorType(type.dtype, [count] + type.shape)
    }
  }

  /// The types the loop's operands must have: carries as the body's carry parameters, scanned
  /// values with `count` rows of the slice parameters, captured values as their parameters.
  public var operandTypes: [TensorType] {
    body.parameters.enumerated().map { k, id in
      let type = body.graph[id].type
      let isSlice = k >= carries && k < carries + slices
      return isSlice ? TensorType(type.dtype, [count] + type.shape) : type
    }
  }

  /// Nil when the body is a well-formed loop body, else what is wrong: every argument an input
  /// named as `parameterName` says in order, at least the carries as outputs, and each carry
  /// output of its carry parameter's type.
  public var bodyProblem: String? {
    let graph = body.graph
    for (k, id) in body.parameters.enumerated() {
      guard case .input(let name) = graph[id].op, name == Self.parameterName(k) else {
        return "body argument \(id) should be the input \(Self.parameterName(k))"
      }
    }
    guard carries >= 0, slices >= 0, count >= 0, body.parameters.count >= carries + slices,
      graph.outputs.count >= carries
    else { return "a loop of \(carries) carries and \(slices) slices with a smaller body" }
    for k in 0..<carries {
      let parameter = graph[body.parameters[k]].type
      let output = graph[graph.outputs[k].node].type
      guard parameter == output else {
        return "carry \(k) enters the body as \(parameter) and leaves it as \(output)"
      }
    }
    return nil
  }
}

/// A loop's body graph, compared and hashed by its nodes and outputs (labels and rules are
/// for people), so that the builder deduplicates identical loops.
public struct LoopBody: Hashable, Sendable {
  public let graph: Graph
  /// The body's arguments, in order.
  public let parameters: [NodeID]

  public init(graph: Graph) {
    self.graph = graph
    self.parameters = graph.arguments
  }

  public static func == (a: LoopBody, b: LoopBody) -> Bool {
    a.graph.nodes == b.graph.nodes && a.graph.outputs == b.graph.outputs
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(graph.nodes)
    hasher.combine(graph.outputs)
  }
}

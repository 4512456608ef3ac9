/// A named result of a graph.
public struct GraphOutput: Hashable, Sendable {
  public var name: String
  public var node: NodeID

  public init(_ name: String, _ node: NodeID) {
    self.name = name
    self.node = node
  }
}

/// A computation graph in SSA form: nodes in an array, every node after its inputs.
///
/// Passes are loops over `ids`, forward or reversed; there is never a need to sort.
public struct Graph: Sendable {
  /// All nodes, in an order where inputs come first.
  public internal(set) var nodes: [Node] = []
  /// Names users gave to values (for printing and diagnostics).
  public var labels: [NodeID: String] = [:]
  /// For nodes built by differentiation: the calculus rule that produced them
  /// ("product rule", "chain rule through tanh"), shown in annotated C and the IR text.
  public var rules: [NodeID: String] = [:]
  /// Initialisers of params, by param name: `GraphBuilder.param` records one with every
  /// param (read one with `initializer(ofParam:)`).
  public internal(set) var initializers: [String: Initializer] = [:]
  /// What the compiled function returns, in order.
  public var outputs: [GraphOutput] = []

  public init() {}

  public subscript(id: NodeID) -> Node { nodes[id.index] }

  /// Every node ID, in order.
  public var ids: [NodeID] { nodes.indices.map(NodeID.init) }

  /// Input and param nodes, in order of declaration.
  public var arguments: [NodeID] { ids.filter { self[$0].op.isLeafInput } }

  /// The node of the input or param named `name`.
  public func argument(named name: String) -> NodeID? {
    arguments.first { self[$0].op.inputName == name }
  }

  /// The name of the input or param `id`. Precondition: `id` is an input or param.
  public func argumentName(_ id: NodeID) -> String {
    guard let name = self[id].op.inputName else {
      preconditionFailure("\(id) is not an input or param:\n\(context(around: id))")
    }
    return name
  }

  /// The initialiser of the param `id`. Precondition: `id` is a param (the builder records
  /// an initialiser with every param, and only the builder makes params).
  public func initializer(ofParam id: NodeID) -> Initializer {
    guard case .param(let name) = self[id].op, let initializer = initializers[name] else {
      preconditionFailure("\(id) is not a param with an initialiser:\n\(context(around: id))")
    }
    return initializer
  }

  /// How many times each node is used as an operand or output.
  public func useCounts() -> [Int] {
    var counts = [Int](repeating: 0, count: nodes.count)
    for node in nodes { for input in node.inputs { counts[input.index] += 1 } }
    for output in outputs { counts[output.node.index] += 1 }
    return counts
  }

  /// The label of a node, if any.
  public func label(_ id: NodeID) -> String? { labels[id] }
}

/// How a param gets its starting value.
public enum Initializer: Hashable, Sendable, CustomStringConvertible {
  /// Every element equal to this number (`zeros`, `ones`, a literal).
  case fill(Double)
  /// Normal with mean 0 and this standard deviation.
  case normal(std: Double)
  /// Uniform on `[low, high)`.
  case uniform(low: Double, high: Double)

  public var description: String {
    switch self {
    case .fill(let v): formatNumber(v)
    case .normal(let std): "normal(\(formatNumber(std)))"
    case .uniform(let lo, let hi): "uniform(\(formatNumber(lo)), \(formatNumber(hi)))"
    }
  }
}

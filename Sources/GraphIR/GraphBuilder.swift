/// Builds graphs: checks shapes, deduplicates identical nodes (hash-consing), applies the
/// peephole simplifications in `Peephole.swift`, and records labels and outputs.
///
/// It is a class so that passes (differentiation, simplification) can append to the graph
/// a user is building. Every method that can fail because of its operands throws a
/// `GraphError` that names the op as the user wrote it.
public final class GraphBuilder {
  /// The graph built so far.
  public private(set) var graph: Graph
  private var memo: [Node: NodeID] = [:]
  /// Names of inputs and params declared so far (a set, so declaring is O(1)).
  private var argumentNames: Set<String> = []
  /// Which peephole rules `apply` uses (see `Peephole`): `.local` while a graph is being
  /// built and differentiated, `.all` when `Simplify.run` rebuilds it, `.none` to add nodes
  /// exactly as asked (tests of the peepholes, gradient checks).
  public var rewrites = Rewrites.local

  /// The tiers of peephole rules.
  public enum Rewrites: Sendable {
    /// None: every node is added as asked.
    case none
    /// Rules that keep every use of an operand a use of that same node, so gradients with
    /// respect to any value already built stay right.
    case local
    /// Also the rules that rewrite an operand's definition; only once no gradient is to come.
    case all
  }
  /// The most nodes `apply` adds up to; beyond, it throws `GraphError.tooManyNodes`.
  public var nodeLimit = maximumNodeCount
  /// The rule recorded on nodes appended inside `withRule`.
  private var currentRule: String?

  /// An empty builder.
  public init() { graph = Graph() }

  /// A builder that continues `graph`: new nodes are appended and deduplicated against it.
  public init(continuing graph: Graph) {
    self.graph = graph
    for id in graph.ids {
      memo[graph[id]] = memo[graph[id]] ?? id
      if let name = graph[id].op.inputName { argumentNames.insert(name) }
    }
  }

  /// The node with this ID.
  public subscript(id: NodeID) -> Node { graph[id] }

  /// The type of a node.
  public func type(_ id: NodeID) -> TensorType { graph[id].type }

  // MARK: Leaves

  /// Declares an input. Throws if the name is taken or the shape is absurd.
  public func input(_ name: String, _ type: TensorType) throws -> NodeID {
    try declare(.input(name), name, type)
  }

  /// Declares a trainable parameter with its initialiser.
  public func param(_ name: String, _ type: TensorType, initializer: Initializer = .fill(0))
    throws -> NodeID
  {
    let id = try declare(.param(name), name, type)
    graph.initializers[name] = initializer
    return id
  }

  private func declare(_ op: Op, _ name: String, _ type: TensorType) throws -> NodeID {
    try checkShape(type.shape)
    guard argumentNames.insert(name).inserted else { throw GraphError.duplicateName(name) }
    let id = append(Node(op, [], type))
    graph.labels[id] = name
    return id
  }

  /// A tensor of `type` filled with `value` (rounded to the dtype).
  public func constant(_ value: Double, _ type: TensorType) -> NodeID {
    intern(Node(.constant(Constant(type.dtype.round(value))), [], type))
  }

  /// A scalar constant of the dtype and shape of `like`.
  public func constant(_ value: Double, like id: NodeID) -> NodeID {
    constant(value, type(id))
  }

  // MARK: Generic application

  /// Applies a primitive op: infers and checks the result type, simplifies, deduplicates.
  ///
  /// `type` is required for `broadcast`, `reshape` and `cast`; `name` is the op as the user
  /// wrote it, for error messages (defaults to the IR name).
  @discardableResult
  public func apply(_ op: Op, _ inputs: [NodeID], type: TensorType? = nil, name: String? = nil)
    throws -> NodeID
  {
    guard graph.nodes.count < nodeLimit else {
      throw GraphError.tooManyNodes(graph.nodes.count)
    }
    let result = try ShapeRules.resultType(
      op, inputs.map { self.type($0) }, requested: type, opName: name ?? op.name)
    if rewrites != .none,
      let simpler = try Peephole.simplify(
        op, inputs, result, lookingThrough: rewrites == .all, in: self)
    {
      return simpler
    }
    return intern(Node(op, inputs, result))
  }

  /// Adds a node whose type is already known to be right, deduplicating.
  func intern(_ node: Node) -> NodeID {
    if let existing = memo[node] { return existing }
    return append(node)
  }

  /// A node equal in value to `id` that nothing else shares: an identity `reshape` of `id`
  /// that is never deduplicated, so expressions built later never merge onto it. A named
  /// definition that some `grad` differentiates against gets one, so that `grad` with respect
  /// to that name sees exactly the uses of the name (and of names defined from it), not those
  /// of identical expressions written elsewhere. `Simplify.run` removes the identity once
  /// gradients are built.
  ///
  /// Why an identity and not a copy of `id`'s node: rules that reuse an op's result (the
  /// derivative of `tanh` is `1 - z^2`) then use `id`, not the name, so a gradient taken
  /// through the definition does not count as a use of the name (`g = grad(l, x)` with
  /// `l = sum(tanh(...))` does not depend on `l` as an independent variable), and a name
  /// for an existing value (`u = t*1`, which is `t`) stays a use of it.
  public func distinct(_ id: NodeID) -> NodeID {
    let new = NodeID(graph.nodes.count)
    graph.nodes.append(Node(.reshape, [id], graph[id].type))
    if let currentRule { graph.rules[new] = currentRule }
    return new
  }

  private func append(_ node: Node) -> NodeID {
    precondition(node.inputs.allSatisfy { $0.index < graph.nodes.count }, "operand after node")
    let id = NodeID(graph.nodes.count)
    graph.nodes.append(node)
    if let currentRule { graph.rules[id] = currentRule }
    if memo[node] == nil { memo[node] = id }
    return id
  }

  // MARK: Names and outputs

  /// Runs `body`, recording `rule` on every node it appends (nodes that already existed
  /// keep whatever they had). Nested calls: the innermost rule wins.
  public func withRule<R>(_ rule: String, _ body: () throws -> R) rethrows -> R {
    let outer = currentRule
    currentRule = rule
    defer { currentRule = outer }
    return try body()
  }

  /// Records the rule of a node that was built elsewhere (used when rebuilding graphs).
  public func setRule(_ id: NodeID, _ rule: String) {
    if graph.rules[id] == nil { graph.rules[id] = rule }
  }

  /// Gives a value a name for printing (the first name given wins).
  public func label(_ id: NodeID, _ name: String) {
    if graph.labels[id] == nil { graph.labels[id] = name }
  }

  /// Adds a named output.
  public func output(_ name: String, _ id: NodeID) {
    graph.outputs.append(GraphOutput(name, id))
  }

  /// Replaces the outputs.
  public func setOutputs(_ outputs: [GraphOutput]) {
    graph.outputs = outputs
  }
}

/// Loops in the Swift graph API: `repeatLoop` and `scan` build the body with a closure.
///
/// ```swift
/// let g = GraphBuilder()
/// let x = try g.input("x")
/// let w = try g.param("w", initializer: .fill(0.5))
/// let y = try repeatLoop(10, [x]) { scope, c in [try c[0] + scope(w) * sin(c[0])] }[0]
/// ```
/// The closure gets the loop's scope and the body's parameters, and returns the body's
/// results. Values of the graph around the loop enter the body through the scope
/// (`scope(w)`), once each however often they are used; they are then the loop's captured
/// values, and gradients with respect to them add up over the iterations.
public final class LoopScope {
  /// The body's builder.
  public let body: GraphBuilder
  /// The builder of the graph around the loop.
  let outer: GraphBuilder
  /// The scope of the loop around this one, if it is inside a body.
  let parent: LoopScope?
  private var captured: [NodeID: NodeID] = [:]
  /// The outer nodes captured, in parameter order.
  private(set) var captures: [NodeID] = []

  init(outer: GraphBuilder, body: GraphBuilder, parent: LoopScope?) {
    self.outer = outer
    self.body = body
    self.parent = parent
  }

  /// `value`, a value of the graph around the loop (or around an enclosing loop), as a value
  /// of the body.
  public func callAsFunction(_ value: Value) throws -> Value {
    if value.builder === body { return value }
    let outside = value.builder === outer ? value : try outerScope(value)
    if let parameter = captured[outside.id] { return Value(body, parameter) }
    let parameter = try body.parameter(outer.type(outside.id))
    captured[outside.id] = parameter
    captures.append(outside.id)
    return Value(body, parameter)
  }

  private func outerScope(_ value: Value) throws -> Value {
    guard let parent else {
      preconditionFailure("a loop body reads a value of a graph that does not enclose it")
    }
    return try parent(value)
  }
}

/// The carries after `count` iterations of `body`, starting from `initial`: the body maps
/// the carries to new carries of the same types.
public func repeatLoop(
  _ count: Int, _ initial: [Value], in parent: LoopScope? = nil,
  _ body: (LoopScope, [Value]) throws -> [Value]
) throws -> [Value] {
  try loop(count, initial, [], parent) { scope, carries, _ in (try body(scope, carries), []) }
}

/// JAX's `scan`: for each row `t` of the `xs` (their first axes have the same length), the
/// body maps the carries and the rows to new carries and per-step values; returns the final
/// carries and each per-step value stacked along a new first axis.
public func scan(
  _ initial: [Value], over xs: [Value], in parent: LoopScope? = nil,
  _ body: (LoopScope, [Value], [Value]) throws -> (carries: [Value], outputs: [Value])
) throws -> (carries: [Value], stacked: [Value]) {
  guard let first = xs.first, let count = first.type.shape.first else {
    throw GraphError.invalidOperand(op: "scan", expected: "values with a first axis to scan")
  }
  let results = try loop(count, initial, xs, parent, body)
  return (Array(results.prefix(initial.count)), Array(results.dropFirst(initial.count)))
}

/// The loop node of `repeatLoop` and `scan`, and its results as values.
private func loop(
  _ count: Int, _ initial: [Value], _ xs: [Value], _ parent: LoopScope?,
  _ body: (LoopScope, [Value], [Value]) throws -> (carries: [Value], outputs: [Value])
) throws -> [Value] {
  guard let outer = (initial + xs).first?.builder else {
    throw GraphError.invalidOperand(op: "loop", expected: "at least one carry or scanned value")
  }
  let rows = xs.map { $0.type.with(shape: Array($0.type.shape.dropFirst())) }
  let (builder, parameters) = try GraphBuilder.loopBody(
    parameters: initial.map(\.type) + rows)
  let scope = LoopScope(outer: outer, body: builder, parent: parent)
  let values = parameters.map { Value(builder, $0) }
  let results = try body(
    scope, Array(values.prefix(initial.count)), Array(values.dropFirst(initial.count)))
  let outputs = try (results.carries + results.outputs).map { try scope($0) }
  builder.setOutputs(outputs.enumerated().map { GraphOutput("r\($0)", $1.id) })
  let ids = try outer.loop(
    count: count, body: builder.graph, carries: initial.map(\.id), slices: xs.map(\.id),
    captures: scope.captures)
  return ids.map { Value(outer, $0) }
}

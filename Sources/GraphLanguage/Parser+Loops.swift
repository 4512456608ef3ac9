import GraphIR

/// A loop body being built: its builder, the builder of the graph around it, and the outer
/// values it has captured so far (each becomes the body's next parameter).
struct LoopLevel {
  let outer: GraphBuilder
  let body: GraphBuilder
  /// The body parameter of each captured outer node.
  var captured: [NodeID: NodeID] = [:]
  /// The captured outer nodes, in parameter order.
  var captures: [NodeID] = []
  /// The `grad`s with respect to outer values in this body and the bodies inside it.
  var outerGradients: [OuterGradient] = []
}

/// `repeat(F, COUNT, I1, ..., Ik)` and `scan(F, [I1, ..., Ik], [X1, ..., Xj])`.
///
/// Each builds one loop node (`GraphBuilder.loop`): the body of `F` is parsed once, into a
/// graph of its own whose parameters are the carries, one row of each scanned value, and the
/// file's values the body reads (captured on first use, through every enclosing body).
extension Parser {
  /// How deeply loops may nest.
  static let maximumLoopNesting = 50

  /// `repeat(F, COUNT, I1, ..., Ik)`, with `(` next: the carries after `COUNT` calls of `F`.
  mutating func parseRepeat(at position: SourcePosition) throws -> [Located] {
    advance()  // '('
    let function = try parseLoopFunction("repeat")
    try expect(",", "',' after the function of 'repeat'")
    let countValue = try parseExpression()
    guard case .literal(let number, _) = countValue.operand, number == number.rounded(),
      Swift.abs(number) < 0x1p62
    else {
      throw error(
        "the count of 'repeat' must be a constant whole number, like 10",
        at: countValue.position)
    }
    guard number >= 0 else {
      throw error(
        "the count of 'repeat' must be 0 or more, got \(formatNumber(number))",
        at: countValue.position)
    }
    var initials: [Located] = []
    while consume(",") { initials.append(try parseExpression()) }
    try expect(")", "',' or ')' in the arguments of 'repeat'")
    guard !initials.isEmpty else {
      throw error("'repeat' needs at least one initial value after the count", at: position)
    }
    try checkParameters(function, "repeat", carries: initials.count, slices: 0, at: position)
    let carries = try initials.map { initial in
      try located(initial.position) { try node(initial.operand) }
    }
    let results = try loop(function, "repeat", Int(number), carries, [], at: position)
    return results.map { Located(operand: .node($0), position: position) }
  }

  /// `scan(F, [I1, ..., Ik], [X1, ..., Xj])`, with `(` next: the final carries, then each
  /// per-step value of `F` stacked along a new first axis.
  mutating func parseScan(at position: SourcePosition) throws -> [Located] {
    advance()  // '('
    let function = try parseLoopFunction("scan")
    try expect(",", "',' after the function of 'scan'")
    let initials = try parseValueList("the initial carries of 'scan'")
    try expect(",", "',' after the initial carries of 'scan'")
    let scanned = try parseValueList("the values 'scan' steps through")
    try expect(")", "')' after the arguments of 'scan'")
    guard !scanned.isEmpty else {
      throw error("'scan' needs at least one value to step through", at: position)
    }
    try checkParameters(
      function, "scan", carries: initials.count, slices: scanned.count, at: position)
    let carries = try initials.map { initial in
      try located(initial.position) { try node(initial.operand) }
    }
    var xs: [NodeID] = []
    var length = 0
    for x in scanned {
      let id = try located(x.position) { try node(x.operand) }
      let shape = builder.type(id).shape
      guard let first = shape.first else {
        throw error(
          "'scan' steps along the first axis of each value, but this one is a scalar "
            + "(\(builder.type(id)))", at: x.position)
      }
      if xs.isEmpty {
        guard first >= 1 else {
          throw error(
            "'scan' needs at least one step, but this value's first axis is empty "
              + "(\(builder.type(id)))", at: x.position)
        }
        length = first
      } else if first != length {
        throw error(
          "scanned values of different lengths: \(length) steps, then \(first) "
            + "(\(builder.type(id)))", at: x.position)
      }
      xs.append(id)
    }
    let results = try loop(function, "scan", length, carries, xs, at: position)
    return results.map { Located(operand: .node($0), position: position) }
  }

  /// The function named as a loop's first argument.
  private mutating func parseLoopFunction(_ loop: String) throws -> Function {
    let token = peek
    guard let name = token.name else {
      throw unexpected(token, expected: "the name of a function to run in '\(loop)'")
    }
    advance()
    if let function = visibleFunction(name) { return function }
    if lookup(name) != nil {
      throw error("'\(name)' is a value, not a function", at: token.position)
    }
    if Self.isBuiltIn(name) {
      throw error(
        "'\(loop)' runs a function defined with 'def', not the built-in '\(name)'",
        at: token.position)
    }
    throw error("unknown function '\(name)'", at: token.position)
  }

  /// `[E1, ..., En]`, possibly empty.
  private mutating func parseValueList(_ what: String) throws -> [Located] {
    try expect("[", "'[' before \(what)")
    var values: [Located] = []
    if !peek.isSymbol("]") {
      repeat { values.append(try parseExpression()) } while consume(",")
    }
    try expect("]", "',' or ']' in \(what)")
    return values
  }

  /// Checks that `function` takes the carries and slices a loop passes and returns at least
  /// its carries (`repeat`: exactly them).
  private func checkParameters(
    _ function: Function, _ loop: String, carries: Int, slices: Int,
    at position: SourcePosition
  ) throws {
    func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
    let passed = carries + slices
    guard function.parameters.count == passed else {
      let carried = carries == 1 ? "1 carry" : "\(carries) carries"
      let parts = slices == 0 ? carried : "\(carried) and \(count(slices, "slice"))"
      throw error(
        "'\(loop)' calls '\(function.name)' with \(passed) "
          + "\(passed == 1 ? "argument" : "arguments") (\(parts)), but it takes "
          + "\(count(function.parameters.count, "parameter"))", at: position)
    }
    let enough =
      loop == "repeat" ? function.resultCount == carries : function.resultCount >= carries
    guard enough else {
      throw error(
        "'\(loop)' needs \(loop == "repeat" ? "" : "at least ")\(carries) "
          + "\(carries == 1 ? "result" : "results") from '\(function.name)' (one per carry), "
          + "but it returns \(function.resultCount)", at: position)
    }
  }

  /// The results of a loop running `function` `count` times on `carries` and the rows of
  /// `xs`: the body is parsed once into a graph of its own, which checks that the new
  /// carries have the types of the old ones.
  private mutating func loop(
    _ function: Function, _ loop: String, _ count: Int, _ carries: [NodeID], _ xs: [NodeID],
    at position: SourcePosition
  ) throws -> [NodeID] {
    guard loopLevels.count < Self.maximumLoopNesting else {
      // Every pass walks nested bodies recursively: bound the depth as that of expressions.
      throw error(
        "loops nested more than \(Self.maximumLoopNesting) deep (a loop in a body run by a "
          + "loop ...)", at: position)
    }
    let carryTypes = carries.map(builder.type)
    let rowTypes = xs.map {
      builder.type($0).with(shape: Array(builder.type($0).shape.dropFirst()))
    }
    let (body, parameters) = try located(position) {
      try GraphBuilder.loopBody(parameters: carryTypes + rowTypes)
    }
    let outer = builder
    loopLevels.append(LoopLevel(outer: outer, body: body))
    builder = body
    defer {
      builder = outer
      loopLevels.removeLast()
    }
    let results = try call(function, parameters.map { .node($0) }, at: position)
    var outputs: [NodeID] = []
    for (k, result) in results.enumerated() {
      let type = k < carries.count ? carryTypes[k] : nil
      let value = try located(position) {
        try Self.materialize(result.operand, type?.dtype ?? .f64, in: body)
      }
      if let type, body.type(value) != type {
        throw error(
          "'\(function.name)' changes the type of carry \(k + 1) in '\(loop)': it starts as "
            + "\(type) and comes back as \(body.type(value))", at: position)
      }
      outputs.append(value)
    }
    body.setOutputs(outputs.enumerated().map { GraphOutput("r\($0)", $1) })
    let captures = loopLevels[loopLevels.count - 1].captures
    let loopResults = try located(position) {
      try outer.loop(
        count: count, body: body.graph, carries: carries, slices: xs, captures: captures)
    }
    let loopNode = loopResults.lazy.compactMap { id -> NodeID? in
      guard case .result = outer[id].op else { return nil }
      return outer[id].inputs[0]
    }.first
    try settleOuterGradients(
      loopLevels[loopLevels.count - 1].outerGradients, loopNode: loopNode, in: outer.graph)
    return loopResults
  }

  /// The value of `name` in the current scope. Inside a loop body, a value of the file read
  /// through a function's scope becomes a parameter of each enclosing body (captured once).
  mutating func resolve(_ name: String) throws -> Binding? {
    if let local = names[name] { return local }
    guard var binding = outerNames[name] else { return nil }
    guard !loopLevels.isEmpty else { return binding }
    var id: NodeID
    switch binding.operand {
    case .literal(_, nil): return binding
    case .literal(_, let tracked?):
      // A number some `grad` differentiates against: its node, so the gradient follows it.
      id = try tracked.node(.f64)
    case .node(let node): id = node
    }
    for level in loopLevels.indices {
      if let parameter = loopLevels[level].captured[id] {
        id = parameter
        continue
      }
      let parameter = try loopLevels[level].body.parameter(loopLevels[level].outer.type(id))
      loopLevels[level].captured[id] = parameter
      loopLevels[level].captures.append(id)
      id = parameter
    }
    binding.operand = .node(id)
    return binding
  }
}

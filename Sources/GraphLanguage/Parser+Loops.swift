import GraphIR

/// `repeat(F, COUNT, I1, ..., Ik)` and `scan(F, [I1, ..., Ik], [X1, ..., Xj])`.
///
/// For now the parser unrolls them: each iteration is an inlined call of `F`, so loops work
/// with every later stage (derivatives of any order, both backends, the standalone export),
/// but the graph and the C grow with the trip count. The loop node of the IR (`Op.loop`) is
/// to replace this.
extension Parser {
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
    var carries = try initials.map { initial in
      try located(initial.position) { try node(initial.operand) }
    }
    for _ in 0..<Int(number) {
      carries = try step(function, "repeat", carries, [], at: position).carries
    }
    return carries.map { Located(operand: .node($0), position: position) }
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
    var carries = try initials.map { initial in
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
    var perStep = [[NodeID]](repeating: [], count: function.resultCount - initials.count)
    for t in 0..<length {
      let slices = try xs.map { try builder.index($0, [.at(t)]) }
      let results = try step(function, "scan", carries, slices, at: position)
      carries = results.carries
      for (k, value) in results.values.enumerated() { perStep[k].append(value) }
    }
    let stacked = try perStep.map { values in
      try located(position) {
        let rows = try values.map { try builder.reshape($0, to: [1] + builder.type($0).shape) }
        return rows.count == 1 ? rows[0] : try builder.concat(rows, axis: 0)
      }
    }
    return (carries + stacked).map { Located(operand: .node($0), position: position) }
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

  /// One iteration: calls `function` on the carries and slices, checks that the new carries
  /// have the types of the old ones, and returns them with the per-step values.
  private mutating func step(
    _ function: Function, _ loop: String, _ carries: [NodeID], _ slices: [NodeID],
    at position: SourcePosition
  ) throws -> (carries: [NodeID], values: [NodeID]) {
    let results = try call(function, (carries + slices).map { .node($0) }, at: position)
    var next: [NodeID] = []
    for (k, old) in carries.enumerated() {
      let type = builder.type(old)
      let new = try located(position) {
        try Self.materialize(results[k].operand, type.dtype, in: builder)
      }
      guard builder.type(new) == type else {
        throw error(
          "'\(function.name)' changes the type of carry \(k + 1) in '\(loop)': it starts as "
            + "\(type) and comes back as \(builder.type(new))", at: position)
      }
      next.append(new)
    }
    let values = try results[carries.count...].map { value in
      try located(position) { try node(value.operand) }
    }
    return (next, values)
  }
}

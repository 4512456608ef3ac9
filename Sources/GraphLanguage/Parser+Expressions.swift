import GraphIR

/// Expressions, lowest precedence first:
///
/// ```
/// comparison := additive (('<' | '<=' | '>' | '>=' | '==' | '!=') additive)*
/// additive   := term (('+' | '-') term)*
/// term       := unary (('*' | '/' | '@') unary)*
/// unary      := '-' unary | power
/// power      := postfix ('^' unary)?        # right-associative; the exponent may be signed
/// postfix    := primary ('[' index (',' index)* ']')*
/// index      := expr | expr? ':' expr? (':' expr?)?   # constant whole numbers
/// primary    := NUMBER | NAME | NAME '(' arguments ')' | '(' comparison ')'
/// ```
///
/// The three left-associative levels are parsed by one precedence-climbing loop, so long
/// chains like `a + b + c + ...` use no stack and each level of parentheses costs only a few
/// frames. Every recursion passes through `parseUnary`, which counts the nesting.
extension Parser {
  /// The binding strength of each binary operator (all left-associative).
  private static let levels: [String: Int] = [
    "<": 1, "<=": 1, ">": 1, ">=": 1, "==": 1, "!=": 1,
    "+": 2, "-": 2,
    "*": 3, "/": 3, "@": 3,
  ]

  /// A whole expression.
  mutating func parseExpression() throws -> Located {
    try parseBinary(above: 0)
  }

  /// A unary expression followed by binary operators binding tighter than level `above`.
  private mutating func parseBinary(above: Int) throws -> Located {
    var lhs = try parseUnary()
    while case .symbol(let symbol) = peek.kind, let level = Self.levels[symbol], level > above {
      let op = advance()
      let rhs = try parseBinary(above: level)
      lhs = try binary(lhs, rhs, at: op.position) { b, ids in
        try Self.build(symbol, b, ids[0], ids[1])
      }
    }
    return lhs
  }

  /// Builds the binary operator `symbol`.
  private static func build(_ symbol: String, _ b: GraphBuilder, _ x: NodeID, _ y: NodeID) throws
    -> NodeID
  {
    switch symbol {
    case "<": try b.less(x, y)
    case "<=": try b.lessEqual(x, y)
    case ">": try b.greater(x, y)
    case ">=": try b.greaterEqual(x, y)
    case "==": try b.equal(x, y)
    case "!=": try b.notEqual(x, y)
    case "+": try b.add(x, y)
    case "-": try b.sub(x, y)
    case "*": try b.mul(x, y)
    case "/": try b.div(x, y)
    default: try b.matmul(x, y)
    }
  }

  /// Combines two operands, reporting a mismatch at the operator.
  private func binary(
    _ lhs: Located, _ rhs: Located, at position: SourcePosition,
    _ build: @escaping (GraphBuilder, [NodeID]) throws -> NodeID
  ) throws -> Located {
    let result = try located(position) { try combine([lhs.operand, rhs.operand], build) }
    return Located(operand: result, position: lhs.position)
  }

  /// `-x` binds looser than `^`, so `-x^2` is `-(x^2)`.
  mutating func parseUnary() throws -> Located {
    depth += 1
    defer { depth -= 1 }
    guard depth <= Self.maximumNesting else {
      throw error(
        "expression nested too deeply (more than \(Self.maximumNesting) levels)", at: peek.position)
    }
    guard peek.isSymbol("-") else { return try parsePower() }
    let minus = advance()
    let operand = try parseUnary()
    let result = try located(minus.position) {
      try combine([operand.operand]) { b, ids in try b.neg(ids[0]) }
    }
    return Located(operand: result, position: minus.position)
  }

  /// `base ^ exponent`, where the exponent is a unary expression: right-associative
  /// (`2^3^2` is `2^9`) and possibly signed (`2^-1`).
  private mutating func parsePower() throws -> Located {
    let base = try parsePostfix()
    guard peek.isSymbol("^") else { return base }
    let caret = advance()
    let exponent = try parseUnary()
    return try binary(base, exponent, at: caret.position) { b, ids in try b.pow(ids[0], ids[1]) }
  }

  /// A primary followed by any number of `[...]` indices.
  private mutating func parsePostfix() throws -> Located {
    var value = try parsePrimary()
    while peek.isSymbol("[") {
      let open = advance()
      var entries: [GraphBuilder.Index] = []
      repeat { entries.append(try parseIndexEntry()) } while consume(",")
      try expect("]", "',' or ']' in the index")
      let result = try located(open.position) {
        try combine([value.operand]) { b, ids in try b.index(ids[0], entries) }
      }
      value = Located(operand: result, position: value.position)
    }
    return value
  }

  /// `i`, or a slice `START:END:STEP` where each part may be left out (`:`, `1:`, `::2`,
  /// `::-1`), as NumPy's basic indexing; a step of zero is an error at the step.
  private mutating func parseIndexEntry() throws -> GraphBuilder.Index {
    var start: Int? = nil
    if !peek.isSymbol(":") {
      let index = try parseInteger("an index")
      guard consume(":") else { return .at(index) }
      start = index
    } else {
      advance()  // ':'
    }
    var omitted: Bool {
      [",", "]", ":"].contains { peek.isSymbol($0) } || peek.kind == .newline || peek.kind == .end
    }
    let end = omitted ? nil : try parseInteger("a slice bound")
    guard consume(":"), !omitted else { return .range(start, end) }
    let position = peek.position
    let step = try parseInteger("a slice step")
    guard step != 0 else { throw error("a slice step must not be zero", at: position) }
    return .range(start, end, step: step)
  }

  /// An expression that must be a constant whole number (an index, a slice bound, an axis).
  mutating func parseInteger(_ what: String) throws -> Int {
    let value = try parseExpression()
    return try integer(value, what)
  }

  /// The whole number an operand holds, or a located error naming `what` was expected.
  func integer(_ value: Located, _ what: String) throws -> Int {
    guard case .literal(let number, _) = value.operand, number == number.rounded(),
      Swift.abs(number) < 0x1p62
    else {
      throw error("\(what) must be a constant whole number, like 0 or -1", at: value.position)
    }
    return Int(number)
  }

  /// A number, a name, a call or a parenthesised expression.
  private mutating func parsePrimary() throws -> Located {
    let token = peek
    switch token.kind {
    case .number(let value, _):
      advance()
      return Located(operand: .literal(value), position: token.position)
    case .name(let name):
      advance()
      if peek.isSymbol("(") { return try parseCall(name, at: token.position) }
      // `inf` and `nan` are numbers, unless the file defines a value of that name.
      if lookup(name) == nil, let special = ["inf": Double.infinity, "nan": Double.nan][name] {
        return Located(operand: .literal(special), position: token.position)
      }
      guard let binding = try resolve(name) else {
        if visibleFunction(name) != nil {
          throw error("'\(name)' is a function: call it, as in '\(name)(...)'", at: token.position)
        }
        throw error("unknown name '\(name)'", at: token.position)
      }
      return Located(operand: binding.operand, position: token.position)
    case .symbol("("):
      advance()
      let inner = try parseExpression()
      try expect(")", "')'")
      return Located(operand: inner.operand, position: token.position)
    default:
      throw unexpected(token, expected: "an expression")
    }
  }
}

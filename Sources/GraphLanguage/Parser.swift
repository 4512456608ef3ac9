import GraphIR

/// A recursive-descent parser that builds the graph while it reads: each statement is
/// parsed and added to a `GraphBuilder` before the next, so a file of any length is one
/// linear pass and errors come in file order.
///
/// Statements, types and initialisers are here; expressions are in `Parser+Expressions`,
/// function calls in `Parser+Calls`.
struct Parser {
  /// How deeply expressions may nest (parentheses, unary minus, `^`, calls, indices). Deeper
  /// input is an error, so that no file can exhaust the stack.
  static let maximumNesting = 1000

  let fileName: String
  private let tokens: [Token]
  /// The next token's position in `tokens` (function calls jump to a body and back).
  var index = 0
  /// The graph under construction: the file's, or inside a loop body the body's.
  var builder = GraphBuilder()
  /// The loop bodies being built, outermost first (empty at the top level).
  var loopLevels: [LoopLevel] = []
  /// Every name defined so far in the current scope (the file, or the body being expanded),
  /// with where it was defined.
  var names: [String: Binding] = [:]
  /// Inside a function body: the file's names defined above its `def` line, which the body
  /// reads but may hide with its own names. Empty at the top level.
  var outerNames: [String: Binding] = [:]
  /// Every function defined so far, by name.
  var functions: [String: Function] = [:]
  /// How many functions the current scope may call: a body sees only those defined above it.
  var visibleFunctions = Int.max
  /// Tokens read so far while expanding calls, bounded so that calls of calls cannot make the
  /// parse run for ever (see `Function.expansionLimit`).
  var expandedTokens = 0
  var declarations: [Declaration] = []
  var gradients: [GradientSite] = []
  /// Output names as written, resolved at the end of the file.
  var outputs: [Token] = []
  /// The current expression nesting depth.
  var depth = 0

  /// Names that some `grad(..., NAME)` differentiates against, found before parsing: a value
  /// defined under such a name gets its own node (`GraphBuilder.distinct`), and a number is
  /// built as a node wherever it is used (see `TrackedNumber`), so the gradient can follow
  /// exactly the uses of the name.
  let gradientTargets: Set<String>

  init(tokens: [Token], fileName: String) {
    self.tokens = tokens
    self.fileName = fileName
    self.gradientTargets = Self.gradientTargets(tokens)
  }

  /// Every NAME written as `, NAME)` or `, NAME,` directly inside the parentheses of a
  /// `grad(`, `jacobian(` or `hessian(` call. One pass over the tokens; a name found here
  /// that is not really a target only costs its uses a node each.
  static func gradientTargets(_ tokens: [Token]) -> Set<String> {
    var targets: Set<String> = []
    var open: [Bool] = []  // for each open parenthesis: is it a grad call's?
    for (i, token) in tokens.enumerated() {
      if token.isSymbol("(") {
        open.append(i > 0 && Derivative(rawValue: tokens[i - 1].name ?? "") != nil)
      } else if token.isSymbol(")") {
        _ = open.popLast()
      } else if token.isSymbol(","), open.last == true, i + 2 < tokens.count,
        let name = tokens[i + 1].name,
        tokens[i + 2].isSymbol(")") || tokens[i + 2].isSymbol(",")
      {
        targets.insert(name)
      }
    }
    // `u = t` makes `t` a target when `u` is one. Aliases name earlier values, so one pass
    // from the last line up follows chains of them.
    for i in tokens.indices.reversed() where i + 2 < tokens.count {
      let startsLine = i == 0 || tokens[i - 1].kind == .newline
      if startsLine, let alias = tokens[i].name, tokens[i + 1].isSymbol("="),
        targets.contains(alias), let original = bareName(tokens, from: i + 2)
      {
        targets.insert(original)
      }
    }
    return targets
  }

  // MARK: Tokens

  /// The next token.
  var peek: Token { tokens[index] }

  /// The token after the next one (the last token if there is none).
  var peekSecond: Token { tokens[Swift.min(index + 1, tokens.count - 1)] }

  /// Consumes the next token. The final token (`.end` or `.invalid`) is never passed.
  @discardableResult
  mutating func advance() -> Token {
    let token = tokens[index]
    if index < tokens.count - 1 { index += 1 }
    return token
  }

  /// Consumes the symbol `text` if it is next.
  mutating func consume(_ text: String) -> Bool {
    guard peek.isSymbol(text) else { return false }
    advance()
    return true
  }

  /// Consumes the symbol `text` or throws "expected `what`, found ...".
  @discardableResult
  mutating func expect(_ text: String, _ what: String) throws -> Token {
    guard peek.isSymbol(text) else { throw unexpected(peek, expected: what) }
    return advance()
  }

  /// A `SourceError` at `position`.
  func error(_ message: String, at position: SourcePosition) -> SourceError {
    SourceError(fileName: fileName, position: position, message: message)
  }

  /// The error for finding `token` where `expected` should be. An invalid token reports its
  /// own message instead (a stray character is the real mistake).
  func unexpected(_ token: Token, expected: String) -> SourceError {
    if case .invalid(let message) = token.kind { return error(message, at: token.position) }
    return error("expected \(expected), found \(token.quoted)", at: token.position)
  }

  // MARK: File and statements

  /// Parses every statement, then checks and attaches the outputs.
  mutating func parseFile() throws -> GraphFile {
    while true {
      while peek.kind == .newline { advance() }
      if peek.kind == .end { break }
      try parseStatement()
      try expectEndOfLine()
    }
    try attachOutputs()
    return GraphFile(
      fileName: fileName, graph: builder.graph, declarations: declarations, gradients: gradients)
  }

  mutating func expectEndOfLine() throws {
    switch peek.kind {
    case .newline: advance()
    case .end: break
    default: throw unexpected(peek, expected: "end of line")
    }
  }

  private mutating func parseStatement() throws {
    let first = peek
    guard let word = first.name else {
      throw unexpected(first, expected: "a statement (input, param, output or NAME = EXPR)")
    }
    // The keywords are only keywords at the start of a line and not before '=', so a value
    // may still be called `input` or `output`.
    if peekSecond.isSymbol("=") { return try parseDefinition() }
    if peekSecond.isSymbol(",") { return try parseMultipleDefinition() }
    switch word {
    case "input", "param":
      advance()
      try parseDeclaration(word == "input" ? .input : .param)
    case "output":
      advance()
      try parseOutputs()
    case "def":
      try parseFunctionDefinition()
    default:
      throw unexpected(peekSecond, expected: "'=' after '\(word)'")
    }
  }

  /// `NAME = EXPR`
  mutating func parseDefinition() throws {
    let nameToken = advance()
    // `parseStatement` comes here only when a name is followed by '='.
    guard let name = nameToken.name else {
      preconditionFailure("a definition at \(nameToken.position) does not start with a name")
    }
    try checkUnused(name, at: nameToken.position)
    advance()  // '='
    // `z = t` makes `z` another name of the same value: `grad(y, z)` and `grad(y, t)` agree.
    let isAlias = Self.bareName(tokens, from: index) != nil
    define(name, at: nameToken.position, try parseExpression(), isAlias: isAlias)
  }

  /// Binds `name` to `value` in the current scope.
  mutating func define(
    _ name: String, at namePosition: SourcePosition, _ value: Located, isAlias: Bool
  ) {
    var value = value
    switch value.operand {
    case .node(let id) where !isAlias && gradientTargets.contains(name):
      // Its own node, so `grad(y, name)` follows only the uses of this name.
      let own = builder.distinct(id)
      builder.label(own, name)
      builder.label(id, name)  // grad sites and messages refer to the original node
      value.operand = .node(own)
    case .node(let id) where !isAlias:
      // No `grad` differentiates against this name, so no gradient can tell its uses from
      // those of an identical expression: the name is the expression's node itself. (An own
      // node here would cost a node, its VJP and its removal in `Simplify` per definition.)
      builder.label(id, name)
    case .literal(let number, let tracked)
    where gradientTargets.contains(name) && (!isAlias || tracked == nil):
      let builder = self.builder
      let inner = Operand.literal(number, tracked)
      value.operand = .literal(
        number,
        TrackedNumber { dtype in
          let own = builder.distinct(try Self.materialize(inner, dtype, in: builder))
          builder.label(own, name)
          return own
        })
    case .node, .literal: break
    }
    names[name] = Binding(operand: value.operand, position: namePosition)
  }

  /// The name when the tokens from `start` to the end of the line are one name, possibly in
  /// parentheses (`t`, `(t)`, `((t))`): a definition that is an alias.
  static func bareName(_ tokens: [Token], from start: Int) -> String? {
    var i = start
    var open = 0
    while i < tokens.count, tokens[i].isSymbol("(") {
      open += 1
      i += 1
    }
    guard i < tokens.count, let name = tokens[i].name else { return nil }
    i += 1
    for _ in 0..<open {
      guard i < tokens.count, tokens[i].isSymbol(")") else { return nil }
      i += 1
    }
    return i < tokens.count && [.newline, .end].contains(tokens[i].kind) ? name : nil
  }

  /// `input NAME [: TYPE]` or `param NAME [: TYPE] [= INIT]`
  private mutating func parseDeclaration(_ kind: Declaration.Kind) throws {
    let nameToken = peek
    guard let name = nameToken.name else {
      throw unexpected(nameToken, expected: "a name after '\(kind.rawValue)'")
    }
    advance()
    try checkUnused(name, at: nameToken.position)
    let type = consume(":") ? try parseType() : TensorType.scalar(.f64)
    let id: NodeID
    switch kind {
    case .input:
      if peek.isSymbol("=") {
        throw error(
          "an input has no initial value; declare '\(name)' with 'param' to give it one",
          at: peek.position)
      }
      id = try located(nameToken.position) { try builder.input(name, type) }
    case .param:
      guard type.dtype.isFloat else {
        throw error(
          "a param is trainable, so its type is f32 or f64, not \(type.dtype); "
            + "declare '\(name)' with 'input' for integer values", at: nameToken.position)
      }
      let initializer = consume("=") ? try parseInitializer() : Initializer.fill(0)
      id = try located(nameToken.position) {
        try builder.param(name, type, initializer: initializer)
      }
    }
    names[name] = Binding(operand: .node(id), position: nameToken.position)
    declarations.append(
      Declaration(name: name, kind: kind, type: type, position: nameToken.position))
  }

  /// `output NAME [, NAME ...]`
  private mutating func parseOutputs() throws {
    repeat {
      guard peek.name != nil else {
        throw unexpected(peek, expected: "the name of a value to output")
      }
      outputs.append(advance())
    } while consume(",")
  }

  /// Throws if `name` already has a definition in the current scope (a value, or at the top
  /// level a function).
  func checkUnused(_ name: String, at position: SourcePosition) throws {
    let previous =
      names[name]?.position ?? (visibleFunctions == Int.max ? functions[name]?.position : nil)
    if let previous {
      throw error(
        "redefinition of '\(name)' (first defined at line \(previous.line), "
          + "column \(previous.column))", at: position)
    }
  }

  /// The value `name` stands for here: a name of the current scope, else one of the file's
  /// names a body reads.
  func lookup(_ name: String) -> Binding? { names[name] ?? outerNames[name] }

  /// Resolves the output names, in order. Outputs may be listed before their definitions.
  private mutating func attachOutputs() throws {
    guard !outputs.isEmpty else {
      throw error(
        "no 'output' line: name at least one value to return, e.g. 'output f'", at: peek.position)
    }
    var seen: Set<String> = []
    for token in outputs {
      // `parseOutputs` keeps only name tokens.
      guard let name = token.name else {
        preconditionFailure("output at \(token.position) is not a name")
      }
      guard let binding = names[name] else {
        throw error("unknown name '\(name)'", at: token.position)
      }
      guard seen.insert(name).inserted else {
        throw error("'\(name)' is output more than once", at: token.position)
      }
      let id = try node(binding.operand)
      builder.label(id, name)
      builder.output(name, id)
    }
  }

  // MARK: Types and initialisers

  /// `f32`, `f64`, `i32`, `i64`, `f32[128, 784]`
  private mutating func parseType() throws -> TensorType {
    let start = peek
    guard let word = start.name, let dtype = DType(rawValue: word) else {
      throw unexpected(
        start, expected: "a type (f32, f64, i32 or i64, with an optional shape like f32[3, 4])")
    }
    advance()
    guard consume("[") else { return .scalar(dtype) }
    var shape: [Int] = []
    if !peek.isSymbol("]") {
      repeat { shape.append(try parseDimension()) } while consume(",")
    }
    try expect("]", "',' or ']' in the shape")
    try located(start.position) { try checkShape(shape) }
    return TensorType(dtype, shape)
  }

  /// A dimension: a whole number, 0 or more, written without sign, point or exponent.
  private mutating func parseDimension() throws -> Int {
    let token = peek
    guard case .number(_, let text) = token.kind, text.allSatisfy(\.isASCIIDigit) else {
      throw unexpected(token, expected: "a dimension (a whole number, 0 or more)")
    }
    guard let value = Int(text) else {
      throw error("dimension \(text) is too large", at: token.position)
    }
    advance()
    return value
  }

  /// `3`, `-0.5`, `zeros`, `ones`, `normal(STD)`, `uniform(LO, HI)`
  private mutating func parseInitializer() throws -> Initializer {
    let start = peek
    let expected = "an initial value (a number, zeros, ones, normal(STD) or uniform(LO, HI))"
    if let value = try parseSignedNumber() { return .fill(value) }
    switch start.name {
    case "zeros":
      advance()
      return .fill(0)
    case "ones":
      advance()
      return .fill(1)
    case "normal":
      advance()
      let std = try parseInitializerArguments(1, "normal")[0]
      guard std >= 0 else {
        throw error("'normal' needs a standard deviation of 0 or more", at: start.position)
      }
      return .normal(std: std)
    case "uniform":
      advance()
      let bounds = try parseInitializerArguments(2, "uniform")
      guard bounds[0] <= bounds[1] else {
        throw error("'uniform' needs LO <= HI", at: start.position)
      }
      return .uniform(low: bounds[0], high: bounds[1])
    default:
      throw unexpected(start, expected: expected)
    }
  }

  /// `(N)` or `(N, N)`: the numbers of `normal(STD)` or `uniform(LO, HI)`.
  private mutating func parseInitializerArguments(_ count: Int, _ name: String) throws -> [Double] {
    try expect("(", "'(' after '\(name)'")
    var values: [Double] = []
    for k in 0..<count {
      if k > 0 { try expect(",", "',' in '\(name)(...)'") }
      guard let value = try parseSignedNumber() else {
        throw unexpected(peek, expected: "a number in '\(name)(...)'")
      }
      values.append(value)
    }
    try expect(")", "')' after the \(count == 1 ? "argument" : "arguments") of '\(name)'")
    return values
  }

  /// A number with an optional leading '-', or nil (consuming nothing) if none is next.
  private mutating func parseSignedNumber() throws -> Double? {
    let negative = peek.isSymbol("-")
    let token = negative ? peekSecond : peek
    guard case .number(let value, _) = token.kind else {
      if negative { throw unexpected(token, expected: "a number after '-'") }
      return nil
    }
    if negative { advance() }
    advance()
    return negative ? -value : value
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

import GraphIR

/// What a name stands for in a scope: its value and where the name was defined.
struct Binding {
  var operand: Operand
  var position: SourcePosition
}

/// A `def NAME(P1, ..., Pn)` ... `end` block, kept as the tokens of its body.
///
/// A call parses the body again with the call's arguments bound to the parameters (the call
/// is inlined), so each call is checked with its own argument types and one function serves
/// several shapes. The body reads the file's names defined above the `def` line (`scope`)
/// and may call only the functions defined above it, so no call can be recursive.
struct Function {
  var name: String
  /// Where the name is written in the `def` line.
  var position: SourcePosition
  /// The parameter names, in order.
  var parameters: [Token]
  /// The token index of the first body line.
  var bodyStart: Int
  /// The token index of the `return` keyword.
  var returnIndex: Int
  /// How many values `return` lists.
  var resultCount: Int
  /// The file's names defined above the `def` line.
  var scope: [String: Binding]
  /// Its place among the file's functions: its body may call only those before it.
  var order: Int

  /// The most body tokens calls may expand to in one file: calls of calls multiply, and a
  /// file of a few lines must not make the parse run for hours.
  static let expansionLimit = 20_000_000
}

/// `def` blocks, calls of the file's functions, and definitions of several names.
///
/// ```
/// def      := 'def' NAME '(' (NAME (',' NAME)*)? ')' NEWLINE body 'end'
/// body     := (NAME (',' NAME)* '=' EXPR NEWLINE)* 'return' EXPR (',' EXPR)* NEWLINE
/// several  := NAME (',' NAME)+ '=' CALL       # a function with several results, repeat, scan
/// ```
extension Parser {
  /// Built-in names a function may not take.
  static let loopFunctions: Set<String> = ["repeat", "scan"]

  /// The function `name` if the current scope may call it.
  func visibleFunction(_ name: String) -> Function? {
    guard let function = functions[name], function.order < visibleFunctions else { return nil }
    return function
  }

  // MARK: Definitions

  /// `def NAME(P1, ..., Pn)` ... `end`, with `def` next. Checks the body's structure and its
  /// names now, so that a mistake is found even in a function never called; types are checked
  /// at each call.
  mutating func parseFunctionDefinition() throws {
    let defToken = advance()
    let nameToken = peek
    guard let name = nameToken.name else {
      throw unexpected(nameToken, expected: "a function name after 'def'")
    }
    advance()
    if Self.isBuiltIn(name) {
      throw error(
        "'\(name)' is a built-in function; choose another name for yours",
        at: nameToken.position)
    }
    try checkUnused(name, at: nameToken.position)
    try expect("(", "'(' after 'def \(name)'")
    var parameters: [Token] = []
    var locals: [String: SourcePosition] = [:]
    if !peek.isSymbol(")") {
      repeat {
        guard let parameter = peek.name else {
          throw unexpected(peek, expected: "a parameter name")
        }
        if let first = locals[parameter] {
          throw redefinition(parameter, first: first, at: peek.position)
        }
        locals[parameter] = peek.position
        parameters.append(advance())
      } while consume(",")
    }
    try expect(")", "',' or ')' in the parameters of '\(name)'")
    try expectEndOfLine()
    let bodyStart = index
    var returnIndex: Int? = nil
    var resultCount = 0
    while true {
      while peek.kind == .newline { advance() }
      let line = peek
      let missingEnd = "'end' of 'def \(name)' (line \(defToken.position.line))"
      if line.kind == .end || ["def", "input", "param", "output"].contains(line.name ?? "") {
        if line.kind != .end, peekSecond.isSymbol("=") || peekSecond.isSymbol(",") {
          // a value named like a keyword: an ordinary definition
        } else {
          throw unexpected(line, expected: missingEnd)
        }
      }
      if line.name == "end", [.newline, .end].contains(peekSecond.kind) {
        guard returnIndex != nil else {
          throw error("'\(name)' has no 'return' line before its 'end'", at: line.position)
        }
        advance()
        break
      }
      if returnIndex != nil { throw unexpected(line, expected: missingEnd) }
      if line.name == "return", !peekSecond.isSymbol("="), !peekSecond.isSymbol(",") {
        returnIndex = index
        advance()
        resultCount = try checkBodyExpression(of: name, locals: locals)
      } else {
        try checkBodyDefinition(of: name, locals: &locals)
      }
      try expectEndOfLine()
    }
    guard let returnIndex else { preconditionFailure("a body ended without its 'return'") }
    functions[name] = Function(
      name: name, position: nameToken.position, parameters: parameters, bodyStart: bodyStart,
      returnIndex: returnIndex, resultCount: resultCount, scope: names,
      order: functions.count)
  }

  /// True for the language's own functions.
  static func isBuiltIn(_ name: String) -> Bool {
    arities[name] != nil || loopFunctions.contains(name)
  }

  /// The redefinition message, as `checkUnused` words it.
  func redefinition(_ name: String, first: SourcePosition, at position: SourcePosition)
    -> SourceError
  {
    error(
      "redefinition of '\(name)' (first defined at line \(first.line), column \(first.column))",
      at: position)
  }

  /// One body line `N1, ..., Nm = EXPR`: checks its names and adds them to `locals`.
  private mutating func checkBodyDefinition(
    of function: String, locals: inout [String: SourcePosition]
  ) throws {
    var defined: [Token] = []
    repeat {
      guard peek.name != nil else {
        throw unexpected(
          peek, expected: "a definition (NAME = EXPR) or 'return' in the body of '\(function)'")
      }
      defined.append(advance())
    } while consume(",")
    try expect("=", "'=' after '\(defined.last?.name ?? "")'")
    _ = try checkBodyExpression(of: function, locals: locals)
    for token in defined {
      let name = token.name ?? ""
      if let first = locals[name] { throw redefinition(name, first: first, at: token.position) }
      locals[name] = token.position
    }
  }

  /// Reads a body line's expressions up to the end of the line, checking that every name is
  /// known and that the function does not call itself; returns how many comma-separated
  /// expressions the line holds.
  private mutating func checkBodyExpression(
    of function: String, locals: [String: SourcePosition]
  ) throws -> Int {
    var count = 1
    var depth = 0
    guard ![.newline, .end].contains(peek.kind) else {
      throw unexpected(peek, expected: "an expression")
    }
    while ![.newline, .end].contains(peek.kind) {
      let token = advance()
      switch token.kind {
      case .symbol("("), .symbol("["): depth += 1
      case .symbol(")"), .symbol("]"): depth -= 1
      case .symbol(","): if depth == 0 { count += 1 }
      case .invalid: throw unexpected(token, expected: "an expression")
      case .name(let name) where peek.isSymbol("("):
        if name == function {
          throw error(
            "'\(function)' calls itself: a function may call only functions defined above it",
            at: token.position)
        }
        let known =
          locals[name] != nil || names[name] != nil || functions[name] != nil
          || Self.isBuiltIn(name)
        if !known { throw error("unknown function '\(name)'", at: token.position) }
      case .name(let name):
        let known =
          locals[name] != nil || names[name] != nil || functions[name] != nil
          || ["inf", "nan"].contains(name) || DType(rawValue: name) != nil
        if !known {
          if name == function {
            throw error(
              "'\(function)' uses itself: a function may use only functions defined above it",
              at: token.position)
          }
          throw error("unknown name '\(name)'", at: token.position)
        }
      default: break
      }
    }
    return count
  }

  // MARK: Calls

  /// The results of `NAME(...)` where NAME is one of the file's functions, `repeat` or
  /// `scan`, with `(` next; nil if NAME is none of them.
  mutating func parseCallResults(_ name: String, at position: SourcePosition) throws
    -> [Located]?
  {
    if let function = visibleFunction(name) {
      advance()  // '('
      var arguments: [Located] = []
      if !peek.isSymbol(")") {
        repeat { arguments.append(try parseExpression()) } while consume(",")
      }
      try expect(")", "',' or ')' in the arguments of '\(name)'")
      guard arguments.count == function.parameters.count else {
        let plural = function.parameters.count == 1 ? "argument" : "arguments"
        throw error(
          "'\(name)' takes \(function.parameters.count) \(plural), got \(arguments.count)",
          at: position)
      }
      return try call(function, arguments.map(\.operand), at: position)
    }
    switch name {
    case "repeat": return try parseRepeat(at: position)
    case "scan": return try parseScan(at: position)
    default: return nil
    }
  }

  /// `N1, ..., Nm = CALL`, with the first name next.
  mutating func parseMultipleDefinition() throws {
    var targets: [Token] = []
    repeat {
      guard let name = peek.name else { throw unexpected(peek, expected: "a name") }
      try checkUnused(name, at: peek.position)
      if let first = targets.first(where: { $0.name == name }) {
        throw redefinition(name, first: first.position, at: peek.position)
      }
      targets.append(advance())
    } while consume(",")
    try expect("=", "'=' after '\(targets.last?.name ?? "")'")
    let callToken = peek
    let isCall = callToken.name != nil && peekSecond.isSymbol("(")
    if isCall { advance() }
    guard isCall, let callee = callToken.name,
      let results = try parseCallResults(callee, at: callToken.position)
    else {
      throw error(
        "\(targets.count) names need a call of a function with \(targets.count) results, "
          + "'repeat' or 'scan'", at: callToken.position)
    }
    guard results.count == targets.count else {
      throw error(
        "'\(callee)' gives \(results.count) \(results.count == 1 ? "result" : "results"), "
          + "but \(targets.count) names are defined", at: callToken.position)
    }
    for (target, result) in zip(targets, results) {
      define(target.name ?? "", at: target.position, result, isAlias: false)
    }
  }

  /// Inlines a call: parses the body of `function` with `arguments` bound to its parameters
  /// and returns the values of its `return` line, located at the call.
  mutating func call(_ function: Function, _ arguments: [Operand], at position: SourcePosition)
    throws -> [Located]
  {
    expandedTokens += function.returnIndex - function.bodyStart + 1
    guard expandedTokens <= Function.expansionLimit else {
      throw error(
        "calls of functions expand to more than \(Function.expansionLimit) tokens", at: position)
    }
    let saved = (index, names, outerNames, visibleFunctions)
    defer { (index, names, outerNames, visibleFunctions) = saved }
    names = [:]
    for (parameter, argument) in zip(function.parameters, arguments) {
      names[parameter.name ?? ""] = Binding(operand: argument, position: parameter.position)
    }
    outerNames = function.scope
    visibleFunctions = function.order
    index = function.bodyStart
    while true {
      while peek.kind == .newline { advance() }
      if index == function.returnIndex { break }
      if peekSecond.isSymbol(",") { try parseMultipleDefinition() } else { try parseDefinition() }
      try expectEndOfLine()
    }
    advance()  // 'return'
    var results: [Located] = []
    repeat {
      results.append(Located(operand: try parseExpression().operand, position: position))
    } while consume(",")
    return results
  }
}

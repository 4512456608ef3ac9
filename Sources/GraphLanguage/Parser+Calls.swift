import GraphIR

/// Function calls: the built-in functions of the language, and `grad`.
extension Parser {
  /// One argument as written: a value, a bracketed list of whole numbers (a shape), or a
  /// dtype (`one_hot(idx, 10, f32)`).
  enum Argument {
    case value(Located)
    case list([Int], SourcePosition)
    case type(DType, SourcePosition)

    var position: SourcePosition {
      switch self {
      case .value(let v): v.position
      case .list(_, let p): p
      case .type(_, let p): p
      }
    }
  }

  /// How many arguments each function takes.
  static let arities: [String: ClosedRange<Int>] = {
    var table: [String: ClosedRange<Int>] = [:]
    for name in [
      "exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "sqrt", "abs", "square",
      "erf", "gelu", "lgamma", "digamma",
    ] {
      table[name] = 1...1
    }
    for name in [
      "pow", "max", "min", "cross_entropy", "reshape", "logsumexp", "softmax", "log_softmax",
      "grad", "jacobian", "hessian", "cumsum",
    ] {
      table[name] = 2...2
    }
    for name in ["f32", "f64", "i32", "i64", "arange"] { table[name] = 1...1 }
    table["argmax"] = 2...2
    for name in ["take", "one_hot"] { table[name] = 2...3 }
    table["where"] = 3...3
    table["transpose"] = 1...2
    for name in ["sum", "mean", "reduce_max"] { table[name] = 1...2 }
    table["concat"] = 3...Int.max
    table["conv2d"] = 2...5
    for name in ["max_pool2d", "avg_pool2d"] { table[name] = 2...3 }
    return table
  }()

  /// `NAME(ARGS)`, with the name already consumed and `(` next.
  mutating func parseCall(_ name: String, at position: SourcePosition) throws -> Located {
    if let results = try parseCallResults(name, at: position) {
      guard results.count == 1 else {
        throw error(
          "'\(name)' gives \(results.count) results: name them all, as in "
            + "'a, b = \(name)(...)'", at: position)
      }
      return results[0]
    }
    guard let arity = Self.arities[name] else {
      if lookup(name) != nil { throw error("'\(name)' is a value, not a function", at: position) }
      throw error("unknown function '\(name)'", at: position)
    }
    advance()  // '('
    if let kind = Derivative(rawValue: name) { return try parseDerivative(kind, at: position) }
    var arguments: [Argument] = []
    if !peek.isSymbol(")") {
      repeat { arguments.append(try parseArgument()) } while consume(",")
    }
    try expect(")", "',' or ')' in the arguments of '\(name)'")
    try checkCount(name, arity, arguments.count, at: position)
    let result = try apply(name, arguments, at: position)
    return Located(operand: result, position: position)
  }

  private mutating func parseArgument() throws -> Argument {
    // A dtype word that names no value, alone as an argument, is a type.
    if let word = peek.name, lookup(word) == nil, let dtype = DType(rawValue: word),
      peekSecond.isSymbol(",") || peekSecond.isSymbol(")")
    {
      return .type(dtype, advance().position)
    }
    guard peek.isSymbol("[") else { return .value(try parseExpression()) }
    let open = advance()
    var items: [Int] = []
    if !peek.isSymbol("]") {
      repeat { items.append(try parseInteger("a dimension")) } while consume(",")
    }
    try expect("]", "',' or ']' in the list")
    return .list(items, open.position)
  }

  private func checkCount(
    _ name: String, _ arity: ClosedRange<Int>, _ count: Int, at position: SourcePosition
  )
    throws
  {
    guard !arity.contains(count) else { return }
    let plural = arity.upperBound == 1 ? "argument" : "arguments"
    let expected =
      arity.upperBound == Int.max
      ? "at least \(arity.lowerBound) arguments"
      : arity.count == 1
        ? "\(arity.lowerBound) \(plural)"
        : "\(arity.lowerBound) or \(arity.upperBound) arguments"
    throw error("'\(name)' takes \(expected), got \(count)", at: position)
  }

  /// Builds a call whose argument count is already checked.
  private func apply(_ name: String, _ arguments: [Argument], at position: SourcePosition) throws
    -> Operand
  {
    func value(_ i: Int) throws -> Operand {
      switch arguments[i] {
      case .value(let v): return v.operand
      case .list: break
      case .type(let dtype, _):
        throw error(
          "argument \(i + 1) of '\(name)' must be a value, not the type \(dtype)",
          at: arguments[i].position)
      }
      throw error(
        "argument \(i + 1) of '\(name)' must be a value, not a list", at: arguments[i].position)
    }
    /// An integer literal such as a length or a class count.
    func count(_ i: Int, _ what: String) throws -> Int {
      guard case .value(let v) = arguments[i] else {
        throw error("\(what) must be a constant whole number, like 10", at: arguments[i].position)
      }
      let n = try integer(v, what)
      guard n >= 0 else { throw error("\(what) must be 0 or more, got \(n)", at: v.position) }
      return n
    }
    /// Indices: a literal index is an i64 scalar.
    func indices(_ i: Int) throws -> NodeID {
      try Self.materialize(value(i), .i64, in: builder)
    }
    func axis(_ i: Int) throws -> Int {
      guard case .value(let v) = arguments[i] else {
        throw error(
          "the axis of '\(name)' must be a constant whole number, like 0 or -1",
          at: arguments[i].position)
      }
      return try integer(v, "the axis of '\(name)'")
    }
    /// A window size, stride, padding or dilation: a whole number or a pair `[h, w]`.
    func pair(_ i: Int, _ what: String) throws -> [Int] {
      let expected = "\(what) must be a whole number or a pair like [2, 2]"
      switch arguments[i] {
      case .list(let items, let at):
        guard items.count == 2 else { throw error(expected, at: at) }
        return items
      case .value(let v):
        let k = try integer(v, what)
        return [k, k]
      case .type(_, let at):
        throw error(expected, at: at)
      }
    }
    /// Applies `build` to the first `count` arguments, with any axis errors at `axisIndex`.
    func call(
      _ count: Int, axisIndex: Int? = nil,
      _ build: @escaping (GraphBuilder, [NodeID]) throws -> NodeID
    )
      throws -> Operand
    {
      let operands = try (0..<count).map(value)
      let axisPosition = axisIndex.flatMap { $0 < arguments.count ? arguments[$0].position : nil }
      return try located(position, axisPosition: axisPosition) { try combine(operands, build) }
    }
    let last = arguments.count - 1
    switch name {
    case "exp": return try call(1) { b, x in try b.exp(x[0]) }
    case "log": return try call(1) { b, x in try b.log(x[0]) }
    case "sin": return try call(1) { b, x in try b.sin(x[0]) }
    case "cos": return try call(1) { b, x in try b.cos(x[0]) }
    case "tan": return try call(1) { b, x in try b.tan(x[0]) }
    case "tanh": return try call(1) { b, x in try b.tanh(x[0]) }
    case "sigmoid": return try call(1) { b, x in try b.sigmoid(x[0]) }
    case "relu": return try call(1) { b, x in try b.relu(x[0]) }
    case "sqrt": return try call(1) { b, x in try b.sqrt(x[0]) }
    case "abs": return try call(1) { b, x in try b.abs(x[0]) }
    case "square": return try call(1) { b, x in try b.square(x[0]) }
    case "erf": return try call(1) { b, x in try b.erf(x[0]) }
    case "gelu": return try call(1) { b, x in try b.gelu(x[0]) }
    case "lgamma": return try call(1) { b, x in try b.lgamma(x[0]) }
    case "digamma": return try call(1) { b, x in try b.polygamma(x[0], order: 0) }
    case "pow": return try call(2) { b, x in try b.pow(x[0], x[1]) }
    case "max": return try call(2) { b, x in try b.maximum(x[0], x[1]) }
    case "min": return try call(2) { b, x in try b.minimum(x[0], x[1]) }
    case "where": return try call(3) { b, x in try b.select(x[0], x[1], x[2]) }
    case "sum", "mean", "reduce_max":
      let axes = arguments.count == 2 ? [try axis(1)] : nil
      return try call(1, axisIndex: 1) { b, x in
        switch name {
        case "sum": try b.sum(x[0], axes: axes)
        case "mean": try b.mean(x[0], axes: axes)
        default: try b.reduceMax(x[0], axes: axes)
        }
      }
    case "logsumexp", "softmax", "log_softmax", "cumsum":
      let a = try axis(1)
      return try call(1, axisIndex: 1) { b, x in
        switch name {
        case "cumsum": try b.cumsum(x[0], axis: a)
        case "logsumexp": try b.logsumexp(x[0], axis: a)
        case "softmax": try b.softmax(x[0], axis: a)
        default: try b.logSoftmax(x[0], axis: a)
        }
      }
    case "transpose":
      guard arguments.count == 2 else { return try call(1) { b, x in try b.transpose(x[0]) } }
      guard case .list(let permutation, _) = arguments[1] else {
        throw error(
          "'transpose' takes its axes as a list like [1, 0, 2]", at: arguments[1].position)
      }
      return try call(1) { b, x in try b.transpose(x[0], permutation: permutation) }
    case "reshape":
      guard case .list(let shape, _) = arguments[1] else {
        throw error(
          "'reshape' needs a shape like [2, 3] as its second argument", at: arguments[1].position)
      }
      return try call(1) { b, x in try b.reshape(x[0], to: shape) }
    case "concat":
      let a = try axis(last)
      return try call(last, axisIndex: last) { b, x in try b.concat(x, axis: a) }
    case "cross_entropy":
      return try call(2) { b, x in
        b.type(x[1]).dtype.isInteger
          ? try b.crossEntropy(logits: x[0], labels: x[1])
          : try b.crossEntropy(logits: x[0], onehot: x[1])
      }
    case "f32", "f64", "i32", "i64":
      let dtype = DType(rawValue: name) ?? .f64
      return try call(1) { b, x in try b.cast(x[0], to: dtype) }
    case "arange":
      let n = try count(0, "the length of 'arange'")
      return .node(try located(position) { try builder.arange(n) })
    case "take":
      let a = arguments.count == 3 ? try axis(2) : 0
      let x = try node(value(0))
      let idx = try located(arguments[1].position) { try indices(1) }
      let axisPosition = arguments.count == 3 ? arguments[2].position : nil
      return .node(
        try located(position, axisPosition: axisPosition) { try builder.take(x, idx, axis: a) })
    case "one_hot":
      let n = try count(1, "the class count of 'one_hot'")
      var dtype = DType.f64
      if arguments.count == 3 {
        guard case .type(let t, _) = arguments[2] else {
          throw error(
            "the type of 'one_hot' must be f32, f64, i32 or i64", at: arguments[2].position)
        }
        dtype = t
      }
      let idx = try located(arguments[0].position) { try indices(0) }
      return .node(try located(position) { try builder.oneHot(idx, n, dtype: dtype) })
    case "argmax":
      let a = try axis(1)
      return try call(1, axisIndex: 1) { b, x in try b.argmax(x[0], axis: a) }
    case "conv2d":
      let names = ["the stride", "the padding", "the dilation"]
      var settings = [[1, 1], [0, 0], [1, 1]]
      for k in 2..<arguments.count {
        settings[k - 2] = try pair(k, "\(names[k - 2]) of 'conv2d'")
      }
      return try call(2) { b, x in
        try b.conv2d(
          x[0], x[1], stride: settings[0], padding: settings[1], dilation: settings[2])
      }
    case "max_pool2d", "avg_pool2d":
      let window = try pair(1, "the window of '\(name)'")
      let stride = arguments.count == 3 ? try pair(2, "the stride of '\(name)'") : window
      return try call(1) { b, x in
        name == "max_pool2d"
          ? try b.maxPool2d(x[0], kernel: window, stride: stride)
          : try b.avgPool2d(x[0], kernel: window, stride: stride)
      }
    default:
      throw error("unknown function '\(name)'", at: position)
    }
  }

  // MARK: grad

  /// `grad(y, x)`, `jacobian(y, x)` or `hessian(y, x)`, with `NAME(` consumed: `x` must be a
  /// plain name, and `y` a scalar for `grad` and `hessian`.
  private mutating func parseDerivative(_ kind: Derivative, at position: SourcePosition) throws
    -> Located
  {
    let function = kind.rawValue
    let y = try parseExpression()
    guard consume(",") else {
      if peek.isSymbol(")") { throw error("'\(function)' takes 2 arguments, got 1", at: position) }
      throw unexpected(peek, expected: "',' or ')' in the arguments of '\(function)'")
    }
    let xToken = peek
    guard let name = xToken.name, peekSecond.isSymbol(")") || peekSecond.isSymbol(",") else {
      if case .invalid = xToken.kind { throw unexpected(xToken, expected: "a name") }
      throw error(
        "'\(function)' differentiates with respect to a name (an input, a param or a defined "
          + "value), not an expression", at: xToken.position)
    }
    advance()
    if peek.isSymbol(",") {
      var count = 2
      while consume(",") {
        _ = try parseArgument()
        count += 1
      }
      throw error("'\(function)' takes 2 arguments, got \(count)", at: position)
    }
    try expect(")", "')' after the arguments of '\(function)'")
    guard let binding = try resolve(name) else {
      throw error("unknown name '\(name)'", at: xToken.position)
    }
    // A value of the file seen from inside a loop body, by its name or through a function's
    // parameter (see `OuterGradient`).
    let outerValue: NodeID? =
      if case .node(let x) = binding.operand { fileValue(capturedAs: x) } else { nil }
    if case .node(let x) = binding.operand, builder.type(x).dtype.isInteger {
      throw error(
        "'\(function)' cannot differentiate with respect to '\(name)', an integer value "
          + "(\(builder.type(x))): no gradient flows through integers", at: xToken.position)
    }
    // A literal `y` takes the dtype of `x`; a number `x` the dtype of `y`, or f64.
    let yNode: NodeID
    let xNodes: [NodeID]
    switch (y.operand, binding.operand) {
    case (.node(let id), .node(let x)):
      (yNode, xNodes) = (id, [x])
    case (.literal, .node(let x)):
      (yNode, xNodes) = (try Self.materialize(y.operand, builder.type(x).dtype, in: builder), [x])
    case (_, .literal(_, let tracked)):
      guard let tracked else {
        preconditionFailure("'\(name)' is a grad target the look-ahead did not find")
      }
      let dtype = tracked.nodes.first.map { builder.type($0).dtype } ?? .f64
      yNode = try Self.materialize(y.operand, dtype, in: builder)
      // Its uses in the dtype of `y` at least, and every other dtype it met.
      _ = try tracked.node(builder.type(yNode).dtype)
      xNodes = tracked.nodes
    }
    guard kind == .jacobian || builder.type(yNode).isScalar else {
      throw error(
        GraphError.notScalar(op: function, type: builder.type(yNode)).description,
        at: y.position)
    }
    let result = try located(position) { try derivative(kind, yNode, xNodes, builder) }
    if let outerValue {
      loopLevels[loopLevels.count - 1].outerGradients.append(
        OuterGradient(
          y: yNode, parameter: xNodes[0], value: outerValue, name: name, function: function,
          position: xToken.position))
    }
    if kind == .grad, loopLevels.isEmpty {  // sites name nodes of the file's graph
      let x = xNodes.first { builder.type($0).dtype == builder.type(yNode).dtype } ?? xNodes[0]
      gradients.append(
        GradientSite(y: yNode, x: x, name: name, result: result, position: position))
    }
    return Located(operand: .node(result), position: position)
  }
}

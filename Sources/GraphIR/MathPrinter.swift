/// The outputs of a graph as readable math, one `name = formula` line each, preceded by
/// `tN = ...` lines for the values the formulas share (what `graphc show` prints).
///
/// Formulas use the `.graph` language's operators and functions with the fewest parentheses
/// that keep the meaning. Presentation follows the usual conventions without changing the
/// value mathematically (it is math for people, not a trace of the IEEE operations): a sum's
/// terms are ordered by the first input they use, its constants added up and last, and
/// `a + -b` reads `a - b`; a product's constants are multiplied into one coefficient written
/// first, then come inputs in declaration order, then other factors; integer powers of one
/// base are combined and cancelled across the line (`x*x` is `x^2`, `x*y/x^3` is `y/x^2`) and
/// `(1/b)*a` reads `a/b`; broadcasting is implicit. Reductions, matrix products, concatenation and padding, and long subterms that
/// are used more than once, get their own line, named after the value's label or `tN` for
/// node N, so no formula repeats work or grows without bound.
public func mathText(_ graph: Graph) -> [String] {
  var printer = MathPrinter(graph)
  return printer.lines()
}

/// The formula of one node, as `mathText` would print it (shared parts inlined only when short).
public func mathFormula(_ graph: Graph, _ node: NodeID) -> String {
  var copy = graph
  copy.outputs = [GraphOutput("\u{1}", node)]
  var printer = MathPrinter(copy)
  // `lines` ends with one line per output, so the line of this one is always there.
  guard let line = printer.lines().last(where: { $0.hasPrefix("\u{1} = ") }) else {
    preconditionFailure("no formula printed for \(node):\n\(graph.context(around: node))")
  }
  return String(line.dropFirst(4))
}

/// A formula and how tightly it binds: 0 comparison, 1 sum, 2 product (and a leading minus),
/// 3 power, 4 atom (a number, name, call or index).
struct Rendered {
  var text: String
  var precedence: Int
}

struct MathPrinter {
  let graph: Graph
  /// Values printed on their own line, by name.
  var names: [NodeID: String] = [:]
  private var memo: [NodeID: Rendered] = [:]
  /// Products already rendered, flattened (see `productParts`).
  var productMemo: [NodeID: ProductParts] = [:]
  /// Sums already rendered, flattened (see `sumParts`).
  var sumMemo: [NodeID: SumParts] = [:]
  /// The smallest argument node each value depends on (`Int.max` for constants): the sort key
  /// of sum terms.
  let firstArguments: [Int]
  private let uses: [Int]
  private let live: [Bool]
  /// Nodes written only as part of their one consumer's flattened sum or product (an add
  /// inside an add, a mul inside a mul): never rendered on their own.
  private let interior: [Bool]
  /// How deeply each node's formula nests when written inline (an operand flattened into
  /// its consumer's sum or product adds no level).
  private var depth: [Int]
  /// Shared subterms longer than this many characters get their own line.
  private let longText = 24
  /// Formulas nested deeper than this get their own line, so that no formula (and no
  /// formula of a later value that contains it) grows without bound.
  private let deepFormula = 48

  init(_ graph: Graph) {
    self.graph = graph
    var first = [Int](repeating: Int.max, count: graph.nodes.count)
    for id in graph.ids {
      let node = graph[id]
      first[id.index] =
        node.op.isLeafInput ? id.index : node.inputs.map { first[$0.index] }.min() ?? Int.max
    }
    firstArguments = first
    live = Simplify.liveNodes(graph)
    var counts = [Int](repeating: 0, count: graph.nodes.count)
    for id in graph.ids where live[id.index] {
      for input in graph[id].inputs { counts[input.index] += 1 }
    }
    uses = counts
    var consumer = [NodeID?](repeating: nil, count: graph.nodes.count)
    for id in graph.ids where live[id.index] {
      for input in graph[id].inputs { consumer[input.index] = id }
    }
    let outputs = Set(graph.outputs.map(\.node))
    interior = graph.ids.map { id in
      guard counts[id.index] == 1, !outputs.contains(id), let user = consumer[id.index] else {
        return false
      }
      return Self.flattens(graph[user].op, graph[id].op)
    }
    depth = [Int](repeating: 0, count: graph.nodes.count)
  }

  /// True when a consumer `outer` writes an operand `inner` as part of its own sum or product
  /// (see `sumParts` and `productParts`).
  private static func flattens(_ outer: Op, _ inner: Op) -> Bool {
    switch (outer, inner) {
    case (.add, .add), (.add, .sub), (.sub, .add), (.sub, .sub), (.neg, .add), (.neg, .sub),
      (.add, .neg), (.sub, .neg), (.mul, .mul), (.mul, .div), (.div, .mul), (.div, .div),
      (.add, .broadcast), (.sub, .broadcast), (.mul, .broadcast), (.div, .broadcast),
      (.broadcast, _):
      true
    default: false
    }
  }

  mutating func lines() -> [String] {
    var result: [String] = []
    var taken = Set(graph.arguments.compactMap { graph[$0].op.inputName })
    var outputNames: [NodeID: String] = [:]
    for output in graph.outputs where outputNames[output.node] == nil {
      outputNames[output.node] = output.name
      taken.insert(output.name)
    }
    var formulas: [NodeID: String] = [:]
    // Operands first, so rendering a node only looks up its operands' memoised text.
    for id in graph.ids where live[id.index] {
      // An operand flattened into this sum or product adds no level of nesting.
      depth[id.index] =
        graph[id].inputs.map { input in
          if hasLine(input) { return 0 }
          return depth[input.index] + (Self.flattens(graph[id].op, graph[input].op) ? 0 : 1)
        }.max() ?? 0
      if interior[id.index] { continue }
      let rendered = render(id)
      formulas[id] = rendered.text
      guard shouldName(id, rendered) else { continue }
      // An output that needs a line is referred to by its output name, defined below.
      if let name = outputNames[id] {
        names[id] = name
        continue
      }
      var name = graph.label(id) ?? "t\(id.index)"
      if taken.contains(name) { name = "t\(id.index)" }
      taken.insert(name)
      names[id] = name
      result.append("\(name) = \(rendered.text)")
    }
    for output in graph.outputs {
      guard names[output.node] == output.name else {
        result.append("\(output.name) = \(operand(output.node).text)")
        continue
      }
      // A node gets a name only after its formula is rendered.
      guard let formula = formulas[output.node] else {
        preconditionFailure(
          "output \(output.name) is named but has no formula:\n"
            + graph.context(around: output.node))
      }
      result.append("\(output.name) = \(formula)")
    }
    return result
  }

  /// True when the value has a line of its own (so formulas refer to it by name).
  func hasLine(_ id: NodeID) -> Bool { names[id] != nil }

  private func shouldName(_ id: NodeID, _ rendered: Rendered) -> Bool {
    switch graph[id].op {
    case .sum, .reduceMax, .cumsum, .matmul, .concat, .pad, .take, .scatterAdd, .allreduce:
      return true
    case .input, .param, .constant, .broadcast: return false
    default:
      return uses[id.index] > 1 && rendered.text.count > longText
        || depth[id.index] > deepFormula
    }
  }

  /// A node as an operand: its name if it has a line, else its formula.
  mutating func operand(_ id: NodeID) -> Rendered {
    if let name = names[id] { return Rendered(text: name, precedence: 4) }
    return render(id)
  }

  /// `operand(id)`, parenthesised unless it binds at least as tightly as `level`.
  mutating func operand(_ id: NodeID, atLeast level: Int) -> String {
    let r = operand(id)
    return r.precedence >= level ? r.text : "(\(r.text))"
  }

  private mutating func render(_ id: NodeID) -> Rendered {
    if let done = memo[id] { return done }
    let r = renderNode(id)
    memo[id] = r
    return r
  }

  private mutating func renderNode(_ id: NodeID) -> Rendered {
    let node = graph[id]
    let args = node.inputs
    func call(_ name: String, _ parts: [String]) -> Rendered {
      Rendered(text: "\(name)(\(parts.joined(separator: ", ")))", precedence: 4)
    }
    func list(_ v: [Int]) -> String { "[" + v.map(String.init).joined(separator: ", ") + "]" }
    switch node.op {
    case .input(let name), .param(let name): return Rendered(text: name, precedence: 4)
    case .constant(let c):
      let text = formatNumber(c.value)
      return Rendered(text: text, precedence: text.hasPrefix("-") ? 2 : 4)
    case .neg:
      let inner = operand(args[0], atLeast: 2)
      return Rendered(text: inner.hasPrefix("-") ? "-(\(inner))" : "-\(inner)", precedence: 2)
    case .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs, .erf, .lgamma:
      return call(node.op.name, [operand(args[0]).text])
    case .polygamma(let order):
      return call(order == 0 ? "digamma" : "trigamma", [operand(args[0]).text])
    case .add, .sub: return renderSum(id)
    case .mul, .div: return renderProduct(id)
    case .pow:
      let base = operand(args[0], atLeast: 4)
      return Rendered(text: "\(base)^\(operand(args[1], atLeast: 3))", precedence: 3)
    case .maximum, .minimum: return call(node.op.name, args.map { operand($0).text })
    case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual:
      guard let symbol = node.op.facts.comparison else {
        preconditionFailure("the facts of \(node.op.name) name no comparison symbol")
      }
      let text = "\(operand(args[0], atLeast: 1)) \(symbol) \(operand(args[1], atLeast: 1))"
      return Rendered(text: text, precedence: 0)
    case .select: return call("where", args.map { operand($0).text })
    case .cast: return call(node.type.dtype.rawValue, [operand(args[0]).text])
    case .stopGradient: return operand(args[0])
    case .allreduce: return call("allreduce", [operand(args[0]).text])
    case .broadcast: return operand(args[0])
    case .reshape: return call("reshape", [operand(args[0]).text, list(node.type.shape)])
    case .transpose(let perm):
      let parts = [operand(args[0]).text] + (perm == [1, 0] ? [] : [list(perm)])
      return call("transpose", parts)
    case .slice(let start, let end, let step):
      let shape = graph[args[0]].type.shape
      let ranges = shape.indices.map { k in
        Self.sliceText(start: start[k], end: end[k], step: step[k], size: shape[k])
      }
      return Rendered(
        text: "\(operand(args[0], atLeast: 4))[\(ranges.joined(separator: ", "))]", precedence: 4)
    case .pad(let low, let high):
      return call("pad", [operand(args[0]).text, "low: \(list(low))", "high: \(list(high))"])
    case .concat(let axis): return call("concat", args.map { operand($0).text } + ["\(axis)"])
    case .window(let w), .windowSum(let w):
      return call(
        node.op.name,
        [operand(args[0]).text, list(w.kernel), list(w.stride), list(w.dilation)])
    case .sum(let axes), .reduceMax(let axes):
      let all = axes == Array(0..<graph[args[0]].type.rank)
      let axisText = axes.count == 1 ? "\(axes[0])" : list(axes)
      return call(
        node.op == .sum(axes: axes) ? "sum" : "reduce_max",
        [operand(args[0]).text] + (all ? [] : [axisText]))
    case .cumsum(let axis, let reverse):
      guard reverse else { return call("cumsum", [operand(args[0]).text, "\(axis)"]) }
      // A running sum from the end: reversed, summed, reversed back, in the language's terms.
      let rank = graph[args[0]].type.rank
      let flip = "[" + (0..<rank).map { $0 == axis ? "::-1" : ":" }.joined(separator: ", ") + "]"
      let inner = "\(operand(args[0], atLeast: 4))\(flip)"
      return Rendered(text: "cumsum(\(inner), \(axis))\(flip)", precedence: 4)
    case .matmul:
      return Rendered(
        text: "\(operand(args[0], atLeast: 2)) @ \(operand(args[1], atLeast: 3))", precedence: 2)
    case .iota(let axis):
      let n = node.type.shape[axis]
      return node.type.rank == 1
        ? call("arange", ["\(n)"]) : call("iota", [list(node.type.shape), "\(axis)"])
    case .take(let axis, _), .scatterAdd(let axis, _):
      return call(node.op.name, args.map { operand($0).text } + (axis == 0 ? [] : ["\(axis)"]))
    }
  }

  /// One axis of a slice as the language writes it: `:`, `1:3`, `::2`, `4::-1`.
  static func sliceText(start: Int, end: Int, step: Int, size: Int) -> String {
    if step == 1 { return start == 0 && end == size ? ":" : "\(start):\(end)" }
    let from = step < 0 && start == size - 1 || step > 0 && start == 0 ? "" : "\(start)"
    // A negative end would count from the end of the axis: leave it out instead.
    let to = end < 0 || end >= size ? "" : "\(end)"
    return "\(from):\(to):\(step)"
  }
}

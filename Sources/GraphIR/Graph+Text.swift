/// The IR as text: one line per node, `%3 = mul %1, %2 : f64[3]  # label`, then outputs.
extension Graph {
  /// The whole graph as text, deterministic for a given graph.
  public var text: String {
    var lines: [String] = []
    for id in ids { lines.append(line(id)) }
    for output in outputs { lines.append("output \(output.name) = \(output.node)") }
    return lines.joined(separator: "\n") + "\n"
  }

  /// One node as text.
  public func line(_ id: NodeID) -> String {
    let node = self[id]
    var text = "\(id) = \(node.op.name)"
    let attributes = Self.attributes(node.op)
    if !attributes.isEmpty { text += attributes }
    if !node.inputs.isEmpty { text += " " + node.inputs.map(\.description).joined(separator: ", ") }
    text += " : \(node.type)"
    let notes = [node.op.inputName == nil ? labels[id] : nil, rules[id]].compactMap { $0 }
    if !notes.isEmpty { text += "  # " + notes.joined(separator: "; ") }
    return text
  }

  /// Op attributes as text: `"x"`, `(axes: [0])`, `3.5` (in the IR text and DOT labels).
  public static func attributes(_ op: Op) -> String {
    func list(_ v: [Int]) -> String { "[" + v.map(String.init).joined(separator: ", ") + "]" }
    switch op {
    case .input(let name), .param(let name): return " \"\(name)\""
    case .constant(let c): return " \(c)"
    case .transpose(let perm): return "(\(list(perm)))"
    case .slice(let start, let end, let step):
      let steps = step.allSatisfy { $0 == 1 } ? "" : ", step: \(list(step))"
      return "(start: \(list(start)), end: \(list(end))\(steps))"
    case .polygamma(let order): return "(order: \(order))"
    case .cumsum(let axis, let reverse): return "(axis: \(axis)\(reverse ? ", reverse" : ""))"
    case .pad(let low, let high): return "(low: \(list(low)), high: \(list(high)))"
    case .concat(let axis), .iota(let axis): return "(axis: \(axis))"
    case .window(let w), .windowSum(let w): return "(\(w))"
    case .take(let axis, let caller), .scatterAdd(let axis, let caller):
      return "(axis: \(axis), for: \(caller.rawValue))"
    case .sum(let axes), .reduceMax(let axes): return "(axes: \(list(axes)))"
    case .neg, .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs, .erf, .lgamma, .stopGradient,
      .add, .sub, .mul,
      .div, .pow,
      .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual, .select,
      .cast, .broadcast, .reshape, .matmul, .allreduce:
      return ""
    }
  }

  /// The lines around `id`, for messages about broken invariants.
  public func context(around id: NodeID, radius: Int = 3) -> String {
    let lo = Swift.max(0, id.index - radius)
    let hi = Swift.min(nodes.count, id.index + radius + 1)
    return (lo..<hi).map { (NodeID($0) == id ? "> " : "  ") + line(NodeID($0)) }.joined(
      separator: "\n")
  }
}

import GraphIR

/// The graph in Graphviz DOT: one box per node (op, attributes, type, label), inputs and
/// params as ellipses, outputs as extra nodes, edges from operands in operand order.
///
/// Every label goes through `dotQuoted`, so no name or number can break the syntax.
func dotText(_ graph: Graph) -> String {
  var lines = [
    "digraph graphc {",
    "  rankdir=TB;",
    "  node [shape=box, fontname=\"Helvetica\", fontsize=11];",
  ]
  for id in graph.ids {
    let node = graph[id]
    var label =
      node.op.inputName.map { "\(node.op.name) \($0)" } ?? node.op.name + dotAttributes(node.op)
    label += "\n\(node.type)"
    if let name = graph.labels[id], node.op.inputName == nil { label += "\n\(name)" }
    let shape =
      node.op.isLeafInput
      ? ", shape=ellipse" : node.op.constantValue != nil ? ", shape=plaintext" : ""
    lines.append("  n\(id.index) [label=\(dotQuoted(label))\(shape)];")
    for input in node.inputs { lines.append("  n\(input.index) -> n\(id.index);") }
  }
  for (k, output) in graph.outputs.enumerated() {
    lines.append("  out\(k) [label=\(dotQuoted(output.name)), shape=doubleoctagon];")
    lines.append("  n\(output.node.index) -> out\(k);")
  }
  lines.append("}")
  return lines.joined(separator: "\n") + "\n"
}

/// Op attributes for a DOT label: the constant's value, the axes of a reduction.
private func dotAttributes(_ op: Op) -> String {
  func list(_ v: [Int]) -> String { "[" + v.map(String.init).joined(separator: ", ") + "]" }
  switch op {
  case .constant(let c): return " \(c)"
  case .transpose(let perm): return " \(list(perm))"
  case .slice(let start, let end): return " \(list(start)) ..< \(list(end))"
  case .pad(let low, let high): return " low \(list(low)) high \(list(high))"
  case .concat(let axis): return " axis \(axis)"
  case .sum(let axes), .reduceMax(let axes): return " axes \(list(axes))"
  default: return ""
  }
}

/// A DOT double-quoted string: backslashes and quotes escaped, line breaks as `\n`.
func dotQuoted(_ text: String) -> String {
  var result = "\""
  for character in text {
    switch character {
    case "\\": result += "\\\\"
    case "\"": result += "\\\""
    case "\n": result += "\\n"
    case "\r": result += "\\r"
    default: result.append(character)
    }
  }
  return result + "\""
}

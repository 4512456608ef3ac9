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
      node.op.inputName.map { "\(node.op.name) \($0)" } ?? node.op.name + Graph.attributes(node.op)
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

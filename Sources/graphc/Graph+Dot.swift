import GraphIR

/// The graph in Graphviz DOT: one box per node (op, attributes, type, label), inputs and
/// params as ellipses, outputs as extra nodes, edges from operands in operand order. A loop's
/// body is a cluster of its own next to the loop node, its nodes named after the loop's.
///
/// Every label goes through `dotQuoted`, so no name or number can break the syntax.
func dotText(_ graph: Graph) -> String {
  var lines = [
    "digraph graphc {",
    "  rankdir=TB;",
    "  node [shape=box, fontname=\"Helvetica\", fontsize=11];",
  ]
  lines += dotNodes(graph, prefix: "n", indent: "  ")
  lines.append("}")
  return lines.joined(separator: "\n") + "\n"
}

/// The DOT lines of `graph`'s nodes, edges and outputs, node `k` named `<prefix><k>`.
private func dotNodes(_ graph: Graph, prefix: String, indent: String) -> [String] {
  var lines: [String] = []
  for id in graph.ids {
    let node = graph[id]
    let name = "\(prefix)\(id.index)"
    var label =
      node.op.inputName.map { "\(node.op.name) \($0)" } ?? node.op.name + Graph.attributes(node.op)
    label += "\n\(node.type)"
    if let text = graph.labels[id], node.op.inputName == nil { label += "\n\(text)" }
    let shape =
      node.op.isLeafInput
      ? ", shape=ellipse" : node.op.constantValue != nil ? ", shape=plaintext" : ""
    lines.append("\(indent)\(name) [label=\(dotQuoted(label))\(shape)];")
    for input in node.inputs { lines.append("\(indent)\(prefix)\(input.index) -> \(name);") }
    if case .loop(let loop) = node.op {
      lines.append("\(indent)subgraph cluster_\(name) {")
      lines.append("\(indent)  label=\(dotQuoted("body of \(id)"));")
      lines += dotNodes(loop.body.graph, prefix: "\(name)_", indent: indent + "  ")
      lines.append("\(indent)}")
    }
  }
  for (k, output) in graph.outputs.enumerated() {
    lines.append(
      "\(indent)\(prefix)out\(k) [label=\(dotQuoted(output.name)), shape=doubleoctagon];")
    lines.append("\(indent)\(prefix)\(output.node.index) -> \(prefix)out\(k);")
  }
  return lines
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

import Foundation

/// A module's `.graph` file from the `GradBench/` folder, with `{{name}}` placeholders for the
/// sizes that each `evaluate` carries.
///
/// Expansion is plain text: every `{{name}}` is replaced by its value; lines between `#step`
/// and `#end step` are written once per step with that step's own values (how `det` writes
/// its levels of minors and `lstm` its layers, whose count the input sets); lines between
/// `#if NAME` and `#end if` are kept when the value of NAME is `true` and dropped when it is
/// `false` (how `ht` writes its two variants); the file's `output` lines are replaced by one
/// naming the outputs asked for, so that a graph computes only what its function needs.
struct GradBenchTemplate {
  /// The file's text.
  let text: String
  /// The file's name, for messages.
  let fileName: String

  /// Reads `NAME.graph` from `folder`. Throws `GradBenchError` when it cannot.
  init(module: String, folder: URL) throws {
    let url = folder.appendingPathComponent("\(module).graph")
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw GradBenchError("cannot read the graph template '\(url.path)'")
    }
    text = String(decoding: data, as: UTF8.self)
    fileName = url.lastPathComponent
  }

  init(text: String, fileName: String) {
    self.text = text
    self.fileName = fileName
  }

  /// The graph text for `values`, with one `output` line naming `outputs`; `steps` holds
  /// the values of each repetition of the `#step` block, in order.
  func expand(_ values: [String: String], steps: [[String: String]] = [], outputs: [String])
    throws -> String
  {
    var lines: [String] = []
    var block: [String]?
    var condition: Bool?  // inside `#if`: whether its lines are kept
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("#if ") {
        guard condition == nil else { throw GradBenchError("\(fileName): '#if' inside '#if'") }
        condition = try isTrue(String(trimmed.dropFirst(4)), values)
      } else if trimmed == "#end if" {
        guard condition != nil else { throw GradBenchError("\(fileName): '#end if' without '#if'") }
        condition = nil
      } else if condition == false {
        continue
      } else if trimmed == "#step" {
        block = []
      } else if trimmed == "#end step", let body = block {
        for step in steps {
          for bodyLine in body {
            lines.append(try substitute(bodyLine, step.merging(values) { own, _ in own }))
          }
        }
        block = nil
      } else if block != nil {
        block?.append(line)
      } else if trimmed.hasPrefix("output ") || trimmed == "output" {
        continue
      } else {
        lines.append(try substitute(line, values))
      }
    }
    if block != nil { throw GradBenchError("\(fileName): '#step' without '#end step'") }
    if condition != nil { throw GradBenchError("\(fileName): '#if' without '#end if'") }
    lines.append("output " + outputs.joined(separator: ", "))
    return lines.joined(separator: "\n") + "\n"
  }

  /// Whether the `#if` condition `name` holds: its value must be `true` or `false`.
  private func isTrue(_ name: String, _ values: [String: String]) throws -> Bool {
    switch values[name.trimmingCharacters(in: .whitespaces)] {
    case "true": return true
    case "false": return false
    default: throw GradBenchError("\(fileName): '#if \(name)' needs the value true or false")
    }
  }

  /// `line` with every `{{name}}` replaced by its value.
  private func substitute(_ line: String, _ values: [String: String]) throws -> String {
    var result = ""
    var rest = Substring(line)
    while let open = rest.range(of: "{{") {
      result += rest[..<open.lowerBound]
      guard let close = rest[open.upperBound...].range(of: "}}") else {
        throw GradBenchError("\(fileName): '{{' without '}}' in: \(line)")
      }
      let name = String(rest[open.upperBound..<close.lowerBound])
      guard let value = values[name] else {
        throw GradBenchError("\(fileName): no value for the placeholder '{{\(name)}}'")
      }
      result += value
      rest = rest[close.upperBound...]
    }
    return result + rest
  }

  /// The `GradBench/` folder of the package this binary was built from: `graphc` finds its
  /// templates from its own source location, so a build of this repository needs no setup.
  static func defaultFolder(filePath: String = #filePath) -> URL {
    URL(fileURLWithPath: filePath)
      .deletingLastPathComponent()  // Sources/graphc
      .deletingLastPathComponent()  // Sources
      .deletingLastPathComponent()  // the package
      .appendingPathComponent("GradBench")
  }
}

import ArgumentParser
import Foundation
import GraphCompiler
import GraphIR

/// `graphc emit-c FILE` (also plain `graphc FILE`): the generated C.
struct EmitC: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "emit-c",
    abstract: "Print the generated C for the forward and backward pass.",
    discussion: """
      By default the C carries comments naming each op and the calculus rule that produced \
      each derivative (--no-comments drops them). With --standalone: a self-contained .h/.c \
      pair exporting gc_NAME_run, where NAME is --name or the file's name made into a C \
      identifier; -o PATH writes PATH.c and PATH.h (or, when PATH ends in .c, PATH and the \
      matching .h); without -o both are printed, each after a '/* ==== NAME.h ==== */' line.
      """)

  @Argument(help: "The .graph file.") var file: String
  @Flag(help: "Write a self-contained .c and .h pair that any C99 compiler builds.")
  var standalone = false
  @Option(name: .short, help: "Where to write the C (default: standard output).") var output:
    String?
  @Option(help: "The exported name with --standalone (default: from the file name).")
  var name: String?
  @Flag(name: .customLong("no-comments"), help: "Leave out the op and rule comments.")
  var noComments = false

  func run() throws {
    let source = try loadGraphFile(file)
    guard standalone else {
      let text = try Pipeline.emitC(source.graph, annotate: !noComments).source
      if let output { try write(text, to: output) } else { print(text, terminator: "") }
      return
    }
    let exportName = name ?? cIdentifier(fromFileName: file)
    let emitted = try Pipeline.emitC(source.graph, standalone: true, name: exportName)
    guard let header = emitted.header else {
      preconditionFailure("a standalone export without a header")
    }
    var code = emitted.source
    if noComments { code = withoutComments(code) }
    guard let output else {
      print("/* ==== \(exportName).h ==== */\n" + header, terminator: "")
      print("/* ==== \(exportName).c ==== */\n" + code, terminator: "")
      return
    }
    let base = output.hasSuffix(".c") ? String(output.dropLast(2)) : output
    let headerPath = base + ".h"
    let headerFile = URL(fileURLWithPath: headerPath).lastPathComponent
    guard !headerFile.contains(where: { "\"\\\n\r".contains($0) }) else {
      throw CommandError("-o \(output): the file name cannot hold quotes, backslashes or newlines")
    }
    // The .c includes "NAME.h"; point it at the header's real file name.
    code = code.replacingOccurrences(
      of: "#include \"\(exportName).h\"\n", with: "#include \"\(headerFile)\"\n")
    try write(header, to: headerPath)
    try write(code, to: base + ".c")
  }

  /// Writes `text` to `path`, or throws a clear error.
  private func write(_ text: String, to path: String) throws {
    guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
      throw CommandError("cannot write '\(path)'")
    }
  }
}

/// The stem of `path` as a C identifier: letters, digits and `_` kept, anything else `_`, a
/// leading `_` when it would start with a digit, at most 48 characters (`my-model.graph` →
/// `my_model`, `2d.graph` → `_2d`).
func cIdentifier(fromFileName path: String) -> String {
  let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
  var name = String(
    stem.unicodeScalars.map { scalar -> Character in
      scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
        ? Character(scalar) : "_"
    })
  if name.isEmpty { name = "graph" }
  if let first = name.unicodeScalars.first, ("0"..."9").contains(first) { name = "_" + name }
  return String(name.prefix(48))
}

/// C text without the `/* ... */` comments that stand on lines of their own or end a line
/// (the generated C puts comments nowhere else), keeping the leading file comment.
func withoutComments(_ code: String) -> String {
  var lines: [Substring] = []
  for (k, line) in code.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    if k > 0, trimmed.hasPrefix("/*"), trimmed.hasSuffix("*/") { continue }
    if k > 0, let open = line.range(of: " /* "), line.hasSuffix("*/") {
      lines.append(line[..<open.lowerBound])
      continue
    }
    lines.append(line)
  }
  return lines.joined(separator: "\n")
}

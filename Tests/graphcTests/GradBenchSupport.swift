import Foundation
import Testing

/// Runs `graphc gradbench` on `lines` (one message each) and returns what it did; killed
/// after `timeout` seconds (a safety net against hangs).
func gradbenchSession(_ lines: [String], arguments: [String] = [], timeout: Double = 120) throws
  -> CommandResult
{
  let binary = try #require(graphcURL, "graphc binary not found next to the tests")
  let process = Process()
  process.executableURL = binary
  process.arguments = ["gradbench"] + arguments
  let input = Pipe()
  let out = Pipe()
  let err = Pipe()
  process.standardInput = input
  process.standardOutput = out
  process.standardError = err
  try process.run()
  DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [process] in
    if process.isRunning { process.terminate() }
  }
  input.fileHandleForWriting.write(Data(lines.map { $0 + "\n" }.joined().utf8))
  try input.fileHandleForWriting.close()  // end of input: the tool must exit
  return collect(process, out: out, err: err)
}

/// The response lines of a session, each decoded as a JSON object.
func responses(_ result: CommandResult) throws -> [[String: Any]] {
  try result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
    let object = try JSONSerialization.jsonObject(with: Data($0.utf8))
    return try #require(object as? [String: Any], "not a JSON object: \($0)")
  }
}

/// One JSON line from `object`.
func jsonLine(_ object: Any) throws -> String {
  String(
    decoding: try JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed]),
    as: UTF8.self)
}

/// Where `actual` and `expected` (decoded JSON) differ, as GradBench compares them but with
/// `tolerance`: the same structure, and |a - b| <= tolerance * max(1, |a| + |b|) for numbers.
func jsonDifference(_ actual: Any, _ expected: Any, tolerance: Double, at path: String = "")
  -> String?
{
  switch (actual, expected) {
  case (let a as NSNumber, let b as NSNumber):
    let (x, y) = (a.doubleValue, b.doubleValue)
    return abs(x - y) <= tolerance * max(1, abs(x) + abs(y)) ? nil : "\(path): \(x) vs \(y)"
  case (let a as [Any], let b as [Any]):
    guard a.count == b.count else { return "\(path): \(a.count) elements vs \(b.count)" }
    for (k, (x, y)) in zip(a, b).enumerated() {
      if let difference = jsonDifference(x, y, tolerance: tolerance, at: "\(path)[\(k)]") {
        return difference
      }
    }
    return nil
  case (let a as [String: Any], let b as [String: Any]):
    guard Set(a.keys) == Set(b.keys) else {
      return "\(path): keys \(a.keys.sorted()) vs \(b.keys.sorted())"
    }
    for key in b.keys.sorted() {
      if let difference = jsonDifference(
        a[key] as Any, b[key] as Any, tolerance: tolerance, at: "\(path).\(key)")
      {
        return difference
      }
    }
    return nil
  default:
    return "\(path): \(actual) vs \(expected)"
  }
}

/// The repository's `GradBench` folder.
let gradbenchDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("GradBench")

/// Evaluates `function` of `module` on each of `inputs` in one session and expects every
/// response to be a failure with the message in `errors` at the same position.
func expectFailedEvaluates(
  module: String, function: String, inputs: [[String: Any]], errors: [String],
  sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let lines = try inputs.enumerated().map { id, input in
    try jsonLine([
      "id": id, "kind": "evaluate", "module": module, "function": function, "input": input,
    ])
  }
  let r = try responses(try gradbenchSession(lines))
  try #require(r.count == inputs.count, sourceLocation: sourceLocation)
  for (error, response) in zip(errors, r) {
    #expect(response["success"] as? Bool == false, sourceLocation: sourceLocation)
    #expect(response["error"] as? String == error, sourceLocation: sourceLocation)
  }
}

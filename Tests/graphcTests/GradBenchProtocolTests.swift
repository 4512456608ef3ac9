import Foundation
import Testing

/// `graphc gradbench` driven as GradBench drives a tool: a scripted session, every response
/// checked.
@Suite struct GradBenchProtocolTests {
  @Test func scriptedSession() throws {
    let evaluate =
      #"{"id": 2, "kind": "evaluate", "module": "lse", "function": "primal", "input": {"x": [0.1, 0.7], "min_runs": 3, "min_seconds": 0}, "description": "n=2"}"#
    let lines = [
      #"{"id": 0, "kind": "start", "eval": "lse", "config": {"anything": [1, 2]}}"#,
      #"{"id": 1, "kind": "define", "module": "lse"}"#,
      evaluate,
      #"{"id": 3, "kind": "analysis", "of": 2, "valid": true}"#,
      #"{"id": 4, "kind": "evaluate", "module": "lse", "function": "gradient", "input": {"x": [0.1, 0.7], "min_runs": 1, "min_seconds": 0.001}}"#,
      #"{"id": 5, "kind": "define", "module": "cubes"}"#,
      "this is not json",
      "",  // a blank line is not a message: no response
      #"[1, 2]"#,
      #"{"kind": "define", "module": "lse"}"#,
      #"{"id": 6}"#,
      #"{"id": 7, "kind": "evaluate", "module": "lse", "function": "hessian", "input": {"x": [1.0], "min_runs": 1, "min_seconds": 0}}"#,
      #"{"id": 8, "kind": "evaluate", "module": "lse", "function": "primal", "input": {"x": [[1.0]], "min_runs": 1, "min_seconds": 0}}"#,
      #"{"id": 9, "kind": "evaluate", "module": "lse", "function": "primal", "input": {"x": [1.0], "min_runs": 0, "min_seconds": 0}}"#,
      #"{"id": 10, "kind": "evaluate", "module": "cubes", "function": "rr", "input": {}}"#,
      #"{"id": 11, "kind": "something-new", "extra": true}"#,
      #"{"id": 12, "kind": "evaluate", "module": "hello", "function": "square", "input": 1.5}"#,
    ]
    let result = try gradbenchSession(lines)
    #expect(result.status == 0)
    let r = try responses(result)
    try #require(r.count == lines.count - 1)
    #expect(
      r.map { $0["id"] as? Int } == [0, 1, 2, 3, 4, 5, nil, nil, nil, 6, 7, 8, 9, 10, 11, 12])

    #expect(r[0]["tool"] as? String == "graphc")
    #expect(r[1]["success"] as? Bool == true && r[1]["error"] == nil)

    #expect(r[2]["success"] as? Bool == true && r[2]["error"] == nil)
    let primal = try #require(r[2]["output"] as? Double)
    #expect(abs(primal - (0.7 + log(1 + exp(-0.6)))) < 1e-12)
    let timings = try #require(r[2]["timings"] as? [[String: Any]])
    let names = timings.compactMap { $0["name"] as? String }
    #expect(names.filter { $0 == "evaluate" }.count == 3)
    #expect(names.contains("compile") && names.contains("prepare"))
    #expect(timings.allSatisfy { ($0["nanoseconds"] as? Int).map { $0 >= 0 } ?? false })

    #expect(r[3].keys.sorted() == ["id"])
    let gradient = try #require(r[4]["output"] as? [Double])
    #expect(gradient.count == 2 && abs(gradient.reduce(0, +) - 1) < 1e-12)

    #expect(r[5]["success"] as? Bool == false)
    #expect((r[5]["error"] as? String)?.contains("does not implement module 'cubes'") == true)

    let errors = r.map { $0["error"] as? String }
    #expect(errors[6] == "malformed message: not valid JSON")
    #expect(errors[7] == "malformed message: expected a JSON object")
    #expect(errors[8] == "malformed message: 'id' must be an integer")
    #expect(errors[9] == "message has no field 'kind' (expected a string)")
    #expect(errors[10] == "module 'lse' has no function 'hessian' (it has gradient, primal)")
    #expect(errors[11] == "input field 'x' must be an array of numbers, not ragged")
    #expect(errors[12] == "min_runs must be 1 or more, got 0")
    #expect(errors[13] == "graphc does not implement module 'cubes'")
    for k in 6...13 { #expect(r[k]["success"] as? Bool == false) }
    #expect(r[14].keys.sorted() == ["id"])
    #expect(r[15]["output"] as? Double == 2.25)
  }

  /// A function is compiled once per size: the second evaluate reports no `compile`.
  @Test func compilesOncePerSize() throws {
    func message(_ id: Int, _ x: [Double]) throws -> String {
      try jsonLine([
        "id": id, "kind": "evaluate", "module": "lse", "function": "gradient",
        "input": ["x": x, "min_runs": 1, "min_seconds": 0],
      ])
    }
    let result = try gradbenchSession([
      try message(0, [1, 2]), try message(1, [3, 4]), try message(2, [1, 2, 3]),
    ])
    let compiled = try responses(result).map { response in
      ((response["timings"] as? [[String: Any]]) ?? []).contains {
        $0["name"] as? String == "compile"
      }
    }
    #expect(compiled == [true, false, true])
  }

  @Test func endOfInputEndsTheTool() throws {
    let result = try gradbenchSession([], timeout: 30)
    #expect(result.status == 0)
    #expect(result.stdout.isEmpty)
  }
}

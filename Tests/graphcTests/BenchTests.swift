import Foundation
import Testing

/// `bench`: one JSON object with positive timings, random inputs where none are given.
@Suite struct BenchTests {
  @Test func jsonHasTheKeysAndPositiveNumbers() throws {
    let directory = try scratchDirectory([
      "model.graph": "input v: f64[8]\nparam w: f64[8] = normal(1)\nl = sum((w*v)^2)\n"
        + "g = grad(l, w)\noutput l, g\n"
    ])
    let result = try graphc(["bench", "model.graph", "--json", "--threads", "1"], in: directory)
    #expect(result.status == 0 && result.stderr == "")
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 1)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    for key in ["compile_ms", "run_ms"] {
      let value = try #require(object[key] as? Double, "\(key)")
      #expect(value > 0, "\(key)")
    }
    #expect(object["kernels"] as? Int ?? 0 >= 1)
    #expect(object["backend"] as? String == "tcc" && object["threads"] as? Int == 1)
  }

  @Test func forPeople() throws {
    let directory = try scratchDirectory(["x.graph": "input x\noutput x\n"])
    let result = try graphc(["bench", "x.graph", "--set", "x=1"], in: directory)
    #expect(result.status == 0 && result.stdout.hasPrefix("compile_ms "))
    #expect(result.stdout.contains("\nrun_ms ") && result.stdout.contains("\nbackend      tcc\n"))
  }

  @Test func setValuesAreStillChecked() throws {
    let directory = try scratchDirectory(["x.graph": "input x\noutput x\n"])
    let result = try graphc(["bench", "x.graph", "--set", "x=[1,2]"], in: directory)
    #expect(result.status != 0 && result.stdout == "")
    #expect(result.stderr == "x.graph:1:7: error: --set x: 'x' is f64, got a value of shape [2]\n")
  }
}

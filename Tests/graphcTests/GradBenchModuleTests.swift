import Foundation
import Testing

/// Every module's outputs for small inputs, against values computed independently with
/// NumPy (`GradBench/Fixtures/make_fixtures.py`: closed forms, or central differences with
/// a looser tolerance).
@Suite struct GradBenchModuleTests {
  @Test(arguments: [ToolBackend.tcc, .cc]) func fixtures(backend: ToolBackend) throws {
    let url = gradbenchDirectory.appendingPathComponent("Fixtures/expected.json")
    let data = try #require(FileManager.default.contents(atPath: url.path))
    let cases = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    let lines = try cases.enumerated().map { id, item in
      try jsonLine([
        "id": id, "kind": "evaluate", "module": item["module"] as Any,
        "function": item["function"] as Any, "input": item["input"] as Any,
      ])
    }
    let result = try gradbenchSession(lines, arguments: ["--backend", backend.rawValue])
    #expect(result.status == 0)
    let r = try responses(result)
    try #require(r.count == cases.count, "\(result.stderr)")
    for (item, response) in zip(cases, r) {
      let name = "\(item["module"] ?? "")/\(item["function"] ?? "")"
      #expect(response["success"] as? Bool == true, "\(name): \(response["error"] ?? "")")
      let tolerance = try #require(item["tolerance"] as? Double)
      let difference = jsonDifference(
        response["output"] as Any, item["output"] as Any, tolerance: tolerance)
      #expect(difference == nil, "\(name): \(difference ?? "")")
    }
  }

  /// The folder holds one template per implemented module, and nothing else ending in .graph.
  @Test func templateFolderHoldsEveryModule() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: gradbenchDirectory.path)
      .filter { $0.hasSuffix(".graph") }.sorted()
    #expect(
      names == [
        "ba.graph", "det.graph", "gmm.graph", "hello.graph", "kmeans.graph", "llsq.graph",
        "lse.graph", "lstm.graph", "ode.graph",
      ])
  }
}

/// The backends the tests run the tool with.
enum ToolBackend: String, CaseIterable, Sendable {
  case tcc, cc
}

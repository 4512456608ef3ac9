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

  /// lstm inputs that do not fit the definition: each is a failed evaluate with its message.
  @Test func lstmInputErrors() throws {
    let fits: [String: Any] = [
      "main_params": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]],
      "extra_params": [[0.1], [0.2], [0.3]], "state": [[0.4], [0.5]], "sequence": [[1.0], [0.0]],
    ]
    let table: [(String, Any, String)] = [
      ("state", [[0.4]], "lstm: state must have shape [2l, b] with l >= 1 and b >= 1, got [1, 1]"),
      ("sequence", [[1.0]], "the number of characters must be 2 or more, got 1"),
      (
        "main_params", [[0.1, 0.2, 0.3], [0.5, 0.6, 0.7]],
        "lstm input 'main_params' must have shape [2, 4] for l = 1, b = 1, c = 2, got [2, 3]"
      ),
      (
        "extra_params", [[0.1], [0.2]],
        "lstm input 'extra_params' must have shape [3, 1] for l = 1, b = 1, c = 2, got [2, 1]"
      ),
    ]
    let inputs = table.map { row in
      var input = fits.merging(["min_runs": 1, "min_seconds": 0]) { own, _ in own }
      input[row.0] = row.1
      return input
    }
    try expectFailedEvaluates(
      module: "lstm", function: "objective", inputs: inputs, errors: table.map(\.2))
  }

  /// particle's and saddle's four functions are one graph, compiled once; a loop that runs
  /// out of steps is run again with twice as many (w = 1 needs 1144 Euler steps, the tool
  /// starts with 512), and the counts that sufficed are kept for the next evaluate.
  @Test func descentsShareOneGraphAndGrowTheirLoops() throws {
    func message(_ id: Int, _ function: String, _ w: Double) throws -> String {
      try jsonLine([
        "id": id, "kind": "evaluate", "module": "particle", "function": function,
        "input": ["w": w, "min_runs": 1, "min_seconds": 0],
      ])
    }
    let functions = ["rr", "ff", "fr", "rf"]
    let lines =
      try functions.enumerated().map { try message($0, $1, 0) }
      + [try message(4, "rr", 1), try message(5, "ff", 0)]
    let r = try responses(try gradbenchSession(lines))
    try #require(r.count == lines.count)
    let names = r.map {
      (($0["timings"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
    }
    #expect(names.map { $0.filter { $0 == "compile" }.count } == [1, 0, 0, 0, 2, 0])
    #expect(names.map { $0.filter { $0 == "too_few_steps" }.count } == [0, 0, 0, 0, 2, 0])
    let outputs = r.compactMap { $0["output"] as? Double }
    #expect(outputs.count == lines.count && Set(outputs[0..<4]).count == 1)
    #expect(outputs[5] == outputs[0])
  }

  /// A particle that never reaches the axis (w = -0.5 flies off): the Euler loop is given up
  /// to 65536 steps, then the evaluate fails with a message.
  @Test func unfinishedLoopIsAFailedEvaluate() throws {
    let line = try jsonLine([
      "id": 0, "kind": "evaluate", "module": "particle", "function": "rr",
      "input": ["w": -0.5, "min_runs": 1, "min_seconds": 0],
    ])
    let r = try responses(try gradbenchSession([line]))
    try #require(r.count == 1)
    #expect(r[0]["success"] as? Bool == false)
    #expect(
      r[0]["error"] as? String
        == "the Euler integration did not finish in 65536 steps (the most graphc tries)")
  }

  /// ht inputs that do not fit the definition (the fixture's complicated input, changed in
  /// one field): each is a failed evaluate with its message.
  @Test func htInputErrors() throws {
    let url = gradbenchDirectory.appendingPathComponent("Fixtures/expected.json")
    let data = try #require(FileManager.default.contents(atPath: url.path))
    let cases = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    let fits = try #require(
      cases.first { $0["module"] as? String == "ht" }?["input"] as? [String: Any])
    let sample = try #require(fits["data"] as? [String: Any])
    let model = try #require(sample["model"] as? [String: Any])
    let parents = try #require(model["parents"] as? [Int])
    let weights = try #require(model["weights"] as? [[Double]])
    let theta = try #require(fits["theta"] as? [Double])
    func changed(_ name: String, _ value: Any) -> [String: Any] {
      var input = fits
      if name == "theta" {
        input[name] = value
      } else if name == "correspondences" {
        input["data"] = sample.merging([name: value]) { _, new in new }
      } else {
        let changedModel = model.merging([name: value]) { _, new in new }
        input["data"] = sample.merging(["model": changedModel]) { _, new in new }
      }
      return input
    }
    var tree = parents
    tree[3] = 5
    let table: [([String: Any], String)] = [
      (changed("theta", Array(theta.dropLast())), "ht: theta must have 26 numbers, got 25"),
      (changed("parents", tree), "ht: bone 3's parent must be -1 or an earlier bone, got 5"),
      (
        changed("parents", Array(parents.dropLast())),
        "ht: the model must have 22 bones or more, got 21"
      ),
      (
        changed("weights", weights.map { Array($0.dropLast()) }),
        "ht input 'weights' must have shape [9, 22] for b = 22, v = 9, n = 5, got [9, 21]"
      ),
      (
        changed("correspondences", [0.5, 1, 2, 3, 4]),
        "data field 'correspondences' must hold integers"
      ),
    ]
    try expectFailedEvaluates(
      module: "ht", function: "objective", inputs: table.map(\.0), errors: table.map(\.1))
  }

  /// The folder holds one template per implemented module, and nothing else ending in .graph.
  @Test func templateFolderHoldsEveryModule() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: gradbenchDirectory.path)
      .filter { $0.hasSuffix(".graph") }.sorted()
    #expect(
      names == [
        "ba.graph", "det.graph", "gmm.graph", "hello.graph", "ht.graph", "kmeans.graph",
        "llsq.graph", "lse.graph", "lstm.graph", "ode.graph", "particle.graph", "saddle.graph",
      ])
  }
}

/// The backends the tests run the tool with.
enum ToolBackend: String, CaseIterable, Sendable {
  case tcc, cc
}

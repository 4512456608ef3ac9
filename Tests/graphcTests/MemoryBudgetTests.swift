import Foundation
import GraphIR
import Testing

/// Shapes that pass the shape limit but exceed the machine's memory are a located error
/// before any value is made, never a crash (the process would abort allocating them).
@Suite(
  .enabled(
    if: ProcessInfo.processInfo.physicalMemory < 100_000_000_000,
    "needs a machine with less than 100 GB"))
struct MemoryBudgetTests {
  static let files = [
    "param.graph":
      "param w: f32[100000, 100000] = normal(0.1)\ninput x: f32[3]\ny = sum(x) + sum(w)\noutput y\n",
    "input.graph": "input x: f64[9000000000]\ny = sum(x)\noutput y\n",
  ]

  @Test(arguments: [
    (
      ["run", "param.graph", "--set", "x=[1,2,3]"],
      "param.graph:1:7: error: 'w' (f32[100000,100000]) is too large for this machine"
    ),
    (
      ["bench", "param.graph"],
      "param.graph:1:7: error: 'w' (f32[100000,100000]) is too large for this machine"
    ),
    (
      ["check", "input.graph"],
      "input.graph:1:7: error: 'x' (f64[9000000000]) is too large for this machine"
    ),
  ])
  func locatedErrorBeforeAllocating(arguments: [String], prefix: String) throws {
    let directory = try scratchDirectory(Self.files)
    let result = try graphc(arguments, in: directory)
    #expect(result.status != 0)
    #expect(result.stderr.hasPrefix(prefix), "\(result.stderr)")
    #expect(result.stderr.split(separator: "\n").count == 1)
  }

  @Test func interpreterRefusesToo() throws {
    let b = GraphBuilder()
    let x = try b.input("x", .f64, shape: [9_000_000_000])
    b.outputs(["y": try sum(x)])
    #expect(throws: GraphError.self) { try Interpreter.run(b.graph, [:]) }
  }
}

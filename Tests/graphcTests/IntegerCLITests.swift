import Foundation
import Testing

/// Integer inputs and outputs at the command line: `--set` takes whole numbers for an integer
/// input, integer outputs print as JSON integers, and an index out of range stops the run with
/// the contract's message and no output.
@Suite struct IntegerCLITests {
  static let files = [
    "int.graph":
      "input i: i64[3]\ninput x: f64[4]\ny = take(x, i)\nn = sum(i) * 2\noutput y\noutput n\n"
  ]

  let directory: URL

  init() throws { directory = try scratchDirectory(Self.files) }

  @Test func integerOutputsAreJSONIntegers() throws {
    let result = try graphc(
      ["run", "int.graph", "--set", "i=[3,-1,0]", "--set", "x=[1,2,3,4]", "--json"], in: directory)
    #expect(result.status == 0)
    #expect(result.stdout == "{\"outputs\": {\"y\": [4.0, 4.0, 1.0], \"n\": 4}}\n")
  }

  @Test func aFractionIsRefusedForAnIntegerInput() throws {
    let result = try graphc(
      ["run", "int.graph", "--set", "i=[3,1.5,0]", "--set", "x=1"], in: directory)
    #expect(result.status == 1)
    #expect(
      result.stderr
        == "graphc: error: --set i: 'i' is i64[3], so it takes whole numbers (below 2^53 in "
        + "magnitude), got 1.5\n")
  }

  @Test(arguments: ["tcc", "cc"]) func anIndexOutOfRangeStopsTheRun(_ backend: String) throws {
    let result = try graphc(
      ["run", "int.graph", "--set", "i=[3,9,0]", "--set", "x=1", "--backend", backend],
      in: directory)
    #expect(result.status == 1)
    #expect(result.stdout == "")
    #expect(
      result.stderr.hasSuffix("error: take: index 9 out of range for axis 0 of size 4 (idx[1])\n"),
      "\(result.stderr)")
  }
}

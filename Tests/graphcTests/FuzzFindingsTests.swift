import Foundation
import Testing

/// Inputs found by `graphc-fuzz` (Benchmarks/Fuzz), minimised, each run through the `graphc`
/// binary: the right answer under both backends, never a wrong derivative or a crash.
@Suite struct FuzzFindingsTests {
  /// `0^x` is 0 for every x > 0, so d/dx (3*0^x + 2*x + 1) = 2; the power rule for the
  /// exponent used to give 0 * log(0) = NaN.
  static let zeroBase = "input x\nf = 3*0^x + 2*x + 1\ndf = grad(f, x)\noutput f, df\n"

  @Test(arguments: ["tcc", "cc"])
  func derivativeOfZeroToThePowerX(backend: String) throws {
    let directory = try scratchDirectory(["zero.graph": Self.zeroBase])
    let result = try graphc(
      ["run", "zero.graph", "--set", "x=1", "--json", "--backend", backend], in: directory,
      timeout: 120)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try HostileInputTests.outputs(result.stdout) == ["f": [3], "df": [2]])
  }

  @Test func zeroBaseDerivativePassesCheck() throws {
    let directory = try scratchDirectory(["zero.graph": Self.zeroBase])
    let result = try graphc(["check", "zero.graph"], in: directory, timeout: 120)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
  }
}

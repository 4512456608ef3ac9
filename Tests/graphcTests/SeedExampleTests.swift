import Foundation
import Testing

/// `run`, `show` and `check` on the seed examples, against values worked out by hand.
@Suite struct SeedExampleTests {
  static let seeds = examplesDirectory.appendingPathComponent("seeds.graph").path
  static let rosenbrock = examplesDirectory.appendingPathComponent("rosenbrock.graph").path
  let directory: URL

  init() throws { directory = try scratchDirectory([:]) }

  @Test func runJSONGivesTheHandComputedValues() throws {
    let result = try graphc(
      [
        "run", Self.seeds, "--set", "x=2", "--set", "y=3", "--set", "w=2", "--set", "u=3",
        "--set", "target=10", "--json",
      ], in: directory)
    #expect(result.status == 0 && result.stderr == "")
    // f = 3x^2 + 2x + 1 = 17, f' = 6x + 2 = 14; d/dw (w*u - target)^2 = 2u(wu - t) = -24;
    // dg/dx = 2x + 3y = 13, dg/dy = 3x + 2y = 12; (log(1 + x^2))' = 0.8; f'' = 6.
    #expect(
      result.stdout.hasPrefix(
        "{\"outputs\": {\"f\": 17.0, \"df\": 14.0, \"loss\": 16.0, \"dloss\": -24.0, "
          + "\"g\": 31.0, \"dgdx\": 13.0, \"dgdy\": 12.0, "))
    #expect(result.stdout.hasSuffix("\"dc\": 0.8, \"d2f\": 6.0}}\n"))
  }

  @Test func runTheRosenbrockStep() throws {
    let result = try graphc(
      ["run", Self.rosenbrock, "--set", "x=-1.2", "--set", "y=1", "--threads", "1"],
      in: directory)
    #expect(result.status == 0)
    // f = 24.2, df/dx = -2(1 - x) - 400x(y - x^2) = -215.6, df/dy = 200(y - x^2) = -88.
    let values = result.stdout.split(separator: "\n").compactMap { line in
      line.split(separator: " = ").last.flatMap { Double($0) }
    }
    #expect(values.count == 4)
    for (value, expected) in zip(values, [24.2, -215.6, -88]) {
      #expect(abs(value - expected) < 1e-12 * abs(expected), "\(value)")
    }
  }

  @Test func showPrintsSimplifiedDerivatives() throws {
    let result = try graphc(["show", Self.seeds], in: directory)
    #expect(result.status == 0 && result.stderr == "")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    for expected in [
      "f = 3*x^2 + 2*x + 1", "df = 6*x + 2", "loss = (w*u - target)^2",
      "dloss = 2*u*(w*u - target)", "g = x^2 + 3*x*y + y^2", "dgdx = 2*x + 3*y",
      "dgdy = 3*x + 2*y", "dp = x^2*exp(x) + 2*x*exp(x)", "dq = cos(x)/x - sin(x)/x^2",
      "dc = 2*x/(x^2 + 1)", "d2f = 6",
    ] {
      #expect(lines.contains(expected), "\(expected)")
    }
  }

  @Test func showThePowerRule() throws {
    let directory = try scratchDirectory(["cube.graph": "input x\nd = grad(x^3, x)\noutput d\n"])
    let result = try graphc(["show", "cube.graph"], in: directory)
    #expect(result.status == 0 && result.stdout == "d = 3*x^2\n")
  }

  @Test(arguments: [seeds, rosenbrock])
  func checkPassesOnTheExamples(path: String) throws {
    let result = try graphc(["check", path, "--threads", "1"], in: directory)
    #expect(result.status == 0 && result.stderr == "")
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == (path == Self.seeds ? 8 : 2))
    for line in lines {
      #expect(
        line.wholeMatch(
          of: /[a-z0-9]+: worst relative error [0-9.]+e[-+][0-9]+ over 1 element \(ok\)/) != nil)
    }
  }

  /// 100k weights would take 200k runs; a sample of 64 per gradient takes well under a
  /// second in release builds.
  @Test func checkOnTheMLPSamplesAndPasses() throws {
    let mlp = examplesDirectory.appendingPathComponent("mlp.graph").path
    let start = Date()
    let result = try graphc(["check", mlp], in: directory)
    #expect(Date().timeIntervalSince(start) < 60)
    #expect(result.status == 0 && result.stderr == "", "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    let counts = lines.map { $0.firstMatch(of: /over .* elements? \(ok\)$/).map { String($0.0) } }
    #expect(
      counts == [
        "over 64 of 100352 elements (ok)", "over 64 of 128 elements (ok)",
        "over 64 of 1280 elements (ok)", "over all 10 elements (ok)",
      ])
    let all = try graphc(["check", mlp, "--samples", "200"], in: directory)
    #expect(all.status == 0 && all.stdout.contains("over all 10 elements"))
    #expect(all.stdout.contains("over 200 of 1280 elements"))
  }

  @Test func checkSamplesOption() throws {
    let directory = try scratchDirectory([
      "v.graph": "input v: f64[100]\nf = sum(sin(v))\ndf = grad(f, v)\noutput df\n"
    ])
    for (samples, expected) in [
      ("5", "over 5 of 100 elements"), ("all", "over all 100 elements"),
      ("0", "over all 100 elements"),
    ] {
      let result = try graphc(["check", "v.graph", "--samples", samples], in: directory)
      #expect(result.status == 0 && result.stdout.contains(expected), "\(result.stdout)")
    }
    let bad = try graphc(["check", "v.graph", "--samples", "some"], in: directory)
    #expect(bad.status != 0 && bad.stderr.contains("--samples"))
  }

  @Test func checkWithGivenValues() throws {
    let result = try graphc(
      ["check", Self.rosenbrock, "--set", "x=-1.2", "--set", "y=1"], in: directory)
    #expect(result.status == 0)
    #expect(result.stdout.hasPrefix("dfdx: worst relative error "))
  }

  /// relu'(0) is 0 by convention, but the central difference at 0 is (h - 0) / 2h = 0.5.
  @Test func checkFailsWhereTheConventionDiffersFromFiniteDifferences() throws {
    let directory = try scratchDirectory([
      "kink.graph": "input x\nf = relu(x)\ndf = grad(f, x)\noutput df\n"
    ])
    let result = try graphc(["check", "kink.graph", "--set", "x=0"], in: directory)
    #expect(result.status == 1)
    #expect(
      result.stdout
        == "df: worst relative error 5.0e-01 over 1 element (FAILED: gradient 0, "
        + "finite difference 0.5 "
        + "at element 0)\n")
    #expect(result.stderr == "graphc: error: 1 of 1 gradient disagrees with finite differences\n")
    let away = try graphc(["check", "kink.graph", "--set", "x=0.5"], in: directory)
    #expect(away.status == 0)
    let loose = try graphc(
      ["check", "kink.graph", "--set", "x=0", "--tolerance", "0.6"], in: directory)
    #expect(loose.status == 0)
  }

  @Test func checkWithoutGrad() throws {
    let directory = try scratchDirectory(["plain.graph": "input x\ny = x * 2\noutput y\n"])
    let result = try graphc(["check", "plain.graph"], in: directory)
    #expect(result.status == 0 && result.stdout == "plain.graph has no grad(...) to check\n")
  }
}

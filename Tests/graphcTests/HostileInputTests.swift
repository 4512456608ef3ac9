import Foundation
import Testing

/// The cases of the report on silent wrong derivatives and hostile input, each run through
/// the `graphc` binary: the right answer under both backends, or one located error line and
/// a non-zero exit, never a crash or a hang.
@Suite struct HostileInputTests {
  /// A program, the values to run it at, and its outputs computed by hand.
  struct Case: CustomTestStringConvertible, Sendable {
    var source: String
    var settings: [String]
    var expected: [String: [Double]]
    var testDescription: String { source.split(separator: "\n").joined(separator: "; ") }
  }

  /// sigmoid'(0.9 w) for w = 1, 2, 3, 4: s(1 - s).
  static let sigmoidSlopes = [0.9, 1.8, 2.7, 3.6].map { v -> Double in
    let s = 1 / (1 + exp(-v))
    return s * (1 - s)
  }

  static let derivatives: [Case] = [
    // A named value seen through a builder rewrite (-(0.9*w0) inside sigmoid).
    Case(
      source: "input w0: f64[4]\nw1 = w0 * 0.9\nl = sum(sigmoid(w1))\ng = grad(l, w1)\noutput g",
      settings: ["w0=[1,2,3,4]"], expected: ["g": sigmoidSlopes]),
    // Aliases are the same value: 2x at x = 3.
    Case(
      source: "input x\nt = x\nz = t\ng = grad(z^2, t)\noutput g",
      settings: ["x=3"], expected: ["g": [6]]),
    // One step of gradient descent (w1 = 0.9 w0), then the gradient at w1.
    Case(
      source:
        "input w0: f64[4]\nw1 = w0 - 0.05 * grad(w0 @ w0, w0)\ng = grad(sum(sigmoid(w1)), w1)\noutput g",
      settings: ["w0=[1,2,3,4]"], expected: ["g": sigmoidSlopes]),
    // A slice of an input: d/ds s.s = 2s, s = w[1, 1:] = [5, 6].
    Case(
      source: "input w: f64[3, 3]\ns = w[1, 1:]\ng = grad(s @ s, s)\noutput g",
      settings: ["w=[[1,2,3],[4,5,6],[7,8,9]]"], expected: ["g": [10, 12]]),
    // A reshape of an input: d/dr sum(r*r) = 2r.
    Case(
      source: "input w: f64[2, 2]\nr = reshape(w, [4])\ng = grad(sum(r * r), r)\noutput g",
      settings: ["w=[[1,2],[3,4]]"], expected: ["g": [2, 4, 6, 8]]),
    // A matrix product of inputs: d/dm sum(m*m) = 2m, m = a @ b = [[19, 22], [43, 50]].
    Case(
      source:
        "input a: f64[2, 2]\ninput b: f64[2, 2]\nm = a @ b\ng = grad(sum(m * m), m)\noutput g",
      settings: ["a=[[1,2],[3,4]]", "b=[[5,6],[7,8]]"], expected: ["g": [38, 44, 86, 100]]),
    // Sum of a scalar, and of a vector: d/dz sum(z)*3 = 3.
    Case(
      source: "input q\nz = exp(q)\ng = grad(sum(z) * 3, z)\noutput g",
      settings: ["q=0.5"], expected: ["g": [3]]),
    Case(
      source: "input q: f64[2]\nz = exp(q)\ng = grad(sum(z) * 3, z)\noutput g",
      settings: ["q=[0.5,1]"], expected: ["g": [3, 3]]),
    // With respect to a grad: g = 3x^2, d/dg g^2 = 2g = 24 at x = 2.
    Case(
      source: "input x\ng = grad(x^3, x)\nh = grad(g^2, g)\noutput h",
      settings: ["x=2"], expected: ["h": [24]]),
    // A second grad whose first result is an alias chain: d/dx 3x^2 = 6x = 12.
    Case(
      source: "input x\nt = x\nz = t\ng = grad(z^3, t)\nk = g\nh = grad(k, z)\noutput h",
      settings: ["x=2"], expected: ["h": [12]]),
    // A named number: grad(t, t) = 1; d/dt (x*t^2) = 2xt = 60 at x = 3.
    Case(
      source: "input x\nt = 10\ng = grad(t, t)\nh = grad(x * t^2, t)\noutput g, h",
      settings: ["x=3"], expected: ["g": [1], "h": [60]]),
    // A comparison that is both an output and a derivative's mask.
    Case(
      source: "input x: f64[2]\ng = grad(sum(relu(x))^2, x)\nm = x > 0\noutput m, g",
      settings: ["x=[1,-2]"], expected: ["m": [1, 0], "g": [2, 0]]),
    // A condition that is an input of the result's shape.
    Case(
      source: "input m: f64[3]\ninput s: f64[3]\ny = where(m, s, 0)\noutput y",
      settings: ["m=[1,0,2]", "s=[4,5,6]"], expected: ["y": [4, 0, 6]]),
    Case(
      source: "input m: f64[3]\ninput s\ny = where(m, s, 0)\ng = grad(sum(y), s)\noutput y, g",
      settings: ["m=[1,0,2]", "s=4"], expected: ["y": [4, 0, 4], "g": [2]]),
  ]

  @Test(arguments: derivatives, ["tcc", "cc"])
  func derivativeIsRight(_ c: Case, backend: String) throws {
    let directory = try scratchDirectory(["case.graph": c.source + "\n"])
    let arguments =
      ["run", "case.graph", "--json", "--backend", backend] + c.settings.flatMap { ["--set", $0] }
    let result = try graphc(arguments, in: directory, timeout: 120)
    #expect(result.status == 0, "\(result.stderr)")
    let outputs = try Self.outputs(result.stdout)
    for (name, values) in c.expected {
      let got = try #require(outputs[name], "no output \(name) in \(result.stdout)")
      #expect(got.count == values.count)
      for (a, b) in zip(got, values) {
        #expect(abs(a - b) <= 1e-12 * max(1, abs(b)), "\(name): \(got) vs \(values)")
      }
    }
  }

  /// The outputs of `run --json`, each flattened to its numbers.
  static func outputs(_ json: String) throws -> [String: [Double]] {
    let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
    let outputs = try #require((object as? [String: Any])?["outputs"] as? [String: Any])
    func flatten(_ value: Any) -> [Double] {
      if let array = value as? [Any] { return array.flatMap(flatten) }
      return [(value as? NSNumber)?.doubleValue ?? .nan]
    }
    return outputs.mapValues(flatten)
  }

  /// Files that must give one located error line, whatever the command.
  static let rejected: [(name: String, source: String, prefix: String)] = {
    let huge = "param p: f64[0, 1000000000000, 1000000000000]\n"
    let hugeError = "t.graph:1:10: error: shape [0, 1000000000000, 1000000000000] is too large"
    let axes = (0..<100_000).map { _ in "1" }.joined(separator: ", ")
    return [
      ("add", huge + "y = p + 1\noutput y", hugeError),
      ("sum", huge + "y = sum(p, 1)\noutput y", hugeError),
      ("reduce_max", huge + "y = reduce_max(p, 2)\noutput y", hugeError),
      ("concat", huge + "y = concat(p, p, 0)\noutput y", hugeError),
      ("slice", huge + "y = p[:, 1:]\noutput y", hugeError),
      ("output", huge + "output p", hugeError),
      (
        "rank", "input x: f64[\(axes)]\noutput x",
        "t.graph:1:10: error: a tensor of 100000 axes has too many (at most 64)"
      ),
      (
        "reshape rank", "input x: f64[2]\ny = reshape(x, [\(axes), 2])\noutput y",
        "t.graph:2:5: error: a tensor of 100001 axes has too many (at most 64)"
      ),
    ]
  }()

  @Test(arguments: ["run", "ir", "emit-c", "show"])
  func absurdShapesAreLocatedErrors(command: String) throws {
    for file in Self.rejected {
      let directory = try scratchDirectory(["t.graph": file.source + "\n"])
      let result = try graphc([command, "t.graph"], in: directory, timeout: 120)
      #expect(result.status == 1, "\(file.name): \(result.stderr)")
      #expect(result.stderr.hasPrefix(file.prefix), "\(file.name): \(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count == 1, "\(file.name)")
    }
  }

  @Test func longSumsAndProductsOnOneLine() throws {
    // 20,000 terms x*1 + x*2 + ... (coefficients cycling 1..7) and 20,000 factors x*x*...
    let n = 20_000
    let terms = (0..<n).map { "x*\($0 % 7 + 1)" }.joined(separator: " + ")
    let factors = (0..<n).map { _ in "x" }.joined(separator: " * ")
    let directory = try scratchDirectory([
      "terms.graph": "input x\ny = \(terms)\noutput y\n",
      "factors.graph": "input x\ny = \(factors)\ng = grad(y, x)\noutput y, g\n",
    ])
    let sum = try graphc(
      ["run", "terms.graph", "--set", "x=1", "--json"], in: directory, timeout: 300)
    let expected = Double((0..<n).reduce(0) { $0 + $1 % 7 + 1 })
    #expect(try Self.outputs(sum.stdout)["y"] == [expected], "\(sum.stderr)")
    let shown = try graphc(["show", "factors.graph"], in: directory, timeout: 300)
    #expect(shown.stdout == "y = x^20000\ng = 20000*x^19999\n", "\(shown.stderr)")
    let product = try graphc(
      ["run", "factors.graph", "--set", "x=1", "--json"], in: directory, timeout: 300)
    #expect(try Self.outputs(product.stdout) == ["y": [1], "g": [Double(n)]], "\(product.stderr)")
  }
}

import Foundation
import GraphIR

/// The GradBench modules graphc implements, each a `.graph` template in `GradBench/`.
///
/// A module turns an `evaluate` message (its function and input) into a `GradBenchInstance`:
/// the template's values for the sizes the input carries, the input tensors, and how the
/// outputs become the JSON the eval expects. The functions follow
/// `../shared/gradbench/README.md`, which writes out every eval's definition.
enum GradBenchModule: String, CaseIterable {
  case hello, lse, llsq, gmm, ode, kmeans

  /// The module's functions and the shape of each one's output.
  var functions: [String: GradBenchOutput] {
    switch self {
    case .hello: ["square": .number("square"), "double": .number("double")]
    case .lse, .llsq: ["primal": .number("primal"), "gradient": .array("gradient")]
    case .gmm:
      [
        "objective": .number("objective"),
        "jacobian": .object([
          ("alpha", "alpha_gradient"), ("mu", "mu_gradient"), ("q", "q_gradient"),
          ("l", "l_gradient"),
        ]),
      ]
    case .ode: ["primal": .array("primal"), "gradient": .array("gradient")]
    case .kmeans: ["cost": .number("cost"), "dir": .array("dir")]
    }
  }

  /// The instance of `function` for `input`. Throws `GradBenchError` for an unknown function
  /// or an input that does not fit the eval's definition.
  func instance(function: String, input: GradBenchFields) throws -> GradBenchInstance {
    guard let output = functions[function] else {
      let known = functions.keys.sorted().joined(separator: ", ")
      throw GradBenchError("module '\(rawValue)' has no function '\(function)' (it has \(known))")
    }
    var instance = try sized(input)
    instance.output = output
    instance.key = "\(rawValue)/\(function)/" + instance.key
    return instance
  }

  /// The values, steps and tensors of the template for the sizes of `input`; the key names
  /// the sizes (the caller adds the module and function).
  private func sized(_ input: GradBenchFields) throws -> GradBenchInstance {
    switch self {
    case .hello: try hello(input)
    case .lse: try lse(input)
    case .llsq: try llsq(input)
    case .gmm: try gmm(input)
    case .ode: try ode(input)
    case .kmeans: try kmeans(input)
    }
  }
}

/// How a function's outputs become the JSON the eval expects.
enum GradBenchOutput {
  /// One scalar output, as a number.
  case number(String)
  /// One tensor output, as nested arrays.
  case array(String)
  /// Several outputs as an object: (JSON key, output name), in order.
  case object([(String, String)])

  /// The graph outputs this needs, in order.
  var names: [String] {
    switch self {
    case .number(let name), .array(let name): [name]
    case .object(let members): members.map(\.1)
    }
  }
}

/// One module function at one size: what to compile, what to feed it, what to send back.
struct GradBenchInstance {
  /// Names the module, function and sizes: equal keys mean the same compiled graph.
  var key: String
  /// The template's placeholder values.
  var values: [String: String]
  /// The values of each repetition of the template's `#step` block.
  var steps: [[String: String]] = []
  /// The graph's inputs.
  var inputs: [String: Tensor]
  /// The outputs and their JSON form (set by `GradBenchModule.instance`).
  var output: GradBenchOutput = .number("")
}

// MARK: - The modules

extension GradBenchModule {
  /// hello: x is a plain number.
  private func hello(_ input: GradBenchFields) throws -> GradBenchInstance {
    guard let x = input.object["x"] as? NSNumber else {
      throw GradBenchError("hello's input must be a number")
    }
    return GradBenchInstance(key: "", values: [:], inputs: ["x": Tensor(x.doubleValue)])
  }

  /// lse: x is float[n].
  private func lse(_ input: GradBenchFields) throws -> GradBenchInstance {
    let x = try input.tensor("x", rank: 1)
    let n = try atLeast(1, x.shape[0], "the length of x")
    return GradBenchInstance(key: "n=\(n)", values: ["n": "\(n)"], inputs: ["x": x])
  }

  /// llsq: x is float[m]; t_i = -1 + 2 i / (n - 1) and s_i = sign(t_i) for i < n.
  private func llsq(_ input: GradBenchFields) throws -> GradBenchInstance {
    let x = try input.tensor("x", rank: 1)
    let m = try atLeast(1, x.shape[0], "the length of x")
    let n = try atLeast(2, input.integer("n"), "n")
    try checkSize([n, m], "n * m")
    var powers = [Double](repeating: 0, count: n * m)
    var signs = [Double](repeating: 0, count: n)
    for i in 0..<n {
      let t = -1 + 2 * Double(i) / Double(n - 1)
      signs[i] = t > 0 ? 1 : (t < 0 ? -1 : 0)
      var power = 1.0
      for j in 0..<m {
        powers[i * m + j] = power
        power *= t
      }
    }
    return GradBenchInstance(
      key: "m=\(m),n=\(n)", values: ["m": "\(m)", "n": "\(n)"],
      inputs: [
        "x": x, "t_powers": Tensor(.f64, shape: [n, m], scalars: powers),
        "s": Tensor(.f64, shape: [n], scalars: signs),
      ])
  }

  /// gmm: x is float[n][d], alpha float[k], mu and q float[k][d], l float[k][d(d-1)/2].
  private func gmm(_ input: GradBenchFields) throws -> GradBenchInstance {
    let d = try atLeast(2, input.integer("d"), "d")
    let k = try atLeast(1, input.integer("k"), "k")
    let n = try atLeast(1, input.integer("n"), "n")
    let m = try atLeast(0, input.integer("m"), "m")
    let gamma = try input.number("gamma")
    try checkSize([k, d, n], "k * d * n")
    try checkSize([k, d, d], "k * d * d")
    let p = d * (d - 1) / 2
    let tensors = [
      "x": try input.tensor("x", rank: 2), "alpha": try input.tensor("alpha", rank: 1),
      "mu": try input.tensor("mu", rank: 2), "q": try input.tensor("q", rank: 2),
      "l": try input.tensor("l", rank: 2),
    ]
    let expected = ["x": [n, d], "alpha": [k], "mu": [k, d], "q": [k, d], "l": [k, p]]
    for (name, shape) in expected.sorted(by: { $0.key < $1.key })
    where tensors[name]?.shape != shape {
      throw GradBenchError(
        "gmm input '\(name)' must have shape \(shape) for d = \(d), k = \(k), n = \(n), got \(tensors[name]?.shape ?? [])"
      )
    }
    let values = [
      "d": "\(d)", "k": "\(k)", "n": "\(n)", "m": "\(m)", "p": "\(p)", "kd": "\(k * d)",
      "gamma": "(\(gamma))", "constant": "(\(gmmConstant(d: d, k: k, n: n, m: m, gamma: gamma)))",
      "columns": gmmColumns(d: d),
    ]
    return GradBenchInstance(
      key: "d=\(d),k=\(k),n=\(n),m=\(m),gamma=\(gamma)", values: values, inputs: tensors)
  }

  /// ode: x is float[n], s the number of steps.
  private func ode(_ input: GradBenchFields) throws -> GradBenchInstance {
    let x = try input.tensor("x", rank: 1)
    let n = try atLeast(2, x.shape[0], "the length of x")
    let s = try atLeast(1, input.integer("s"), "s")
    guard s <= 10_000 else { throw GradBenchError("s = \(s) steps is more than 10000") }
    let h = 2 / Double(s)
    let values = [
      "n": "\(n)", "s": "\(s)", "h": "\(h)", "half_h": "\(h / 2)", "sixth_h": "\(h / 6)",
    ]
    let steps = (1...s).map { ["i": "\($0)", "previous": "\($0 - 1)"] }
    return GradBenchInstance(key: "n=\(n),s=\(s)", values: values, steps: steps, inputs: ["x": x])
  }

  /// kmeans: points float[n][d], centroids float[k][d].
  private func kmeans(_ input: GradBenchFields) throws -> GradBenchInstance {
    let points = try input.tensor("points", rank: 2)
    let centroids = try input.tensor("centroids", rank: 2)
    let (n, d, k) = (points.shape[0], points.shape[1], centroids.shape[0])
    _ = try atLeast(1, n, "the number of points")
    _ = try atLeast(1, d, "the dimension")
    _ = try atLeast(1, k, "the number of centroids")
    guard centroids.shape[1] == d else {
      throw GradBenchError(
        "kmeans: points have \(d) coordinates but centroids \(centroids.shape[1])")
    }
    try checkSize([n, k], "n * k")
    return GradBenchInstance(
      key: "n=\(n),k=\(k),d=\(d)", values: ["n": "\(n)", "k": "\(k)", "d": "\(d)"],
      inputs: ["points": points, "centroids": centroids])
  }
}

// MARK: - Helpers

/// The part of the gmm objective that depends on the sizes only:
///   -(n d / 2) ln(2 pi) + k [w d (ln gamma - ln(2) / 2) - ln Gamma_d(w / 2)],  w = d + m + 1,
/// where ln Gamma_d(a) = (d (d - 1) / 4) ln(pi) + sum_{j=1}^{d} lgamma(a + (1 - j) / 2).
func gmmConstant(d: Int, k: Int, n: Int, m: Int, gamma: Double) -> Double {
  let (dd, w) = (Double(d), Double(d + m + 1))
  var logMultivariateGamma = dd * (dd - 1) / 4 * log(Double.pi)
  for j in 1...d { logMultivariateGamma += lgamma(w / 2 + Double(1 - j) / 2) }
  let prior = w * dd * (log(gamma) - log(2.0) / 2) - logMultivariateGamma
  return -Double(n) * dd / 2 * log(2 * Double.pi) + Double(k) * prior
}

/// Lines defining `columns`, the strictly lower triangle of every L_k in column-major order:
/// column c is c + 1 zeros and then l[:, start ..< start + d - 1 - c]; the last column is all
/// zeros.
func gmmColumns(d: Int) -> String {
  var lines: [String] = []
  var start = 0
  for c in 0..<(d - 1) {
    let end = start + d - 1 - c
    let column = "concat(zeros[:, 0:\(c + 1)], l[:, \(start):\(end)], 1)"
    lines.append(
      c == 0 ? "columns_0 = \(column)" : "columns_\(c) = concat(columns_\(c - 1), \(column), 1)")
    start = end
  }
  lines.append("columns = concat(columns_\(d - 2), zeros, 1)")
  return lines.joined(separator: "\n")
}

/// `value` if it is at least `minimum`, else a `GradBenchError` naming `what`.
private func atLeast(_ minimum: Int, _ value: Int, _ what: String) throws -> Int {
  guard value >= minimum else {
    throw GradBenchError("\(what) must be \(minimum) or more, got \(value)")
  }
  return value
}

/// Refuses sizes whose product (the elements of a tensor the graph holds) is beyond what
/// could be allocated, 2^34, checking before any arithmetic on them can overflow.
private func checkSize(_ factors: [Int], _ what: String) throws {
  var product = 1
  for factor in factors {
    let (next, overflow) = product.multipliedReportingOverflow(by: factor)
    guard !overflow, next <= 1 << 34 else {
      throw GradBenchError(
        "\(what) is too large (\(factors.map(String.init).joined(separator: " * ")))")
    }
    product = next
  }
}

import Foundation
import GraphIR

/// The GradBench modules graphc implements, each a `.graph` template in `GradBench/`.
///
/// A module turns an `evaluate` message (its function and input) into a `GradBenchInstance`:
/// the template's values for the sizes the input carries, the input tensors, and how the
/// outputs become the JSON the eval expects. The functions follow
/// `../shared/gradbench/README.md`, which writes out every eval's definition.
enum GradBenchModule: String, CaseIterable {
  case hello, lse, llsq, gmm, ode, lstm, kmeans, det, ba, particle, saddle, ht

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
    case .lstm: ["objective": .number("objective"), "jacobian": .array("jacobian")]
    case .kmeans: ["cost": .number("cost"), "dir": .array("dir")]
    case .det: ["primal": .number("primal"), "gradient": .array("gradient")]
    case .ba:
      [
        "objective": .custom(["reproj_err", "w_err"], baObjective),
        "jacobian": .custom(["reproj_vals", "w_vals"], baJacobian),
      ]
    // The four functions differ in the AD modes the reference chooses; graphc chooses its
    // own, so they are one graph (see GradBench/README.md).
    case .particle: Dictionary(uniqueKeysWithValues: descentModes.map { ($0, .number("w")) })
    case .saddle: Dictionary(uniqueKeysWithValues: descentModes.map { ($0, .array("points")) })
    case .ht: ["objective": .array("objective"), "jacobian": .array("jacobian")]
    }
  }

  /// The instance of `function` for `input`. Throws `GradBenchError` for an unknown function
  /// or an input that does not fit the eval's definition.
  func instance(function: String, input: GradBenchFields) throws -> GradBenchInstance {
    guard let output = functions[function] else {
      let known = functions.keys.sorted().joined(separator: ", ")
      throw GradBenchError("module '\(rawValue)' has no function '\(function)' (it has \(known))")
    }
    var instance = try sized(input, function: function)
    instance.output = output
    // Named by the outputs, not the function: functions with the same outputs share a graph.
    instance.key = "\(rawValue)/\(output.names.joined(separator: ","))/" + instance.key
    return instance
  }

  /// The values, steps and tensors of the template for the sizes of `input`; the key names
  /// the sizes (the caller adds the module and function).
  private func sized(_ input: GradBenchFields, function: String) throws -> GradBenchInstance {
    switch self {
    case .hello: try hello(input)
    case .lse: try lse(input)
    case .llsq: try llsq(input)
    case .gmm: try gmm(input)
    case .ode: try ode(input)
    case .lstm: try lstm(input)
    case .kmeans: try kmeans(input)
    case .det: try det(input)
    case .ba: try ba(input)
    case .particle: try particle(input)
    case .saddle: try saddle(input)
    case .ht: try ht(input, function: function)
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
  /// Outputs in a form of the eval's own, written by a function of their values (in order)
  /// and the instance's template values (its sizes).
  case custom([String], ([Tensor], [String: String]) throws -> String)

  /// The graph outputs this needs, in order.
  var names: [String] {
    switch self {
    case .number(let name), .array(let name): [name]
    case .object(let members): members.map(\.1)
    case .custom(let names, _): names
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
  /// The template's loops that run until a condition holds, at most a count of steps each.
  var loops: [GradBenchLoop] = []
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
      "dd": "\(d * d)",
    ]
    var inputs = tensors
    inputs["lower"] = gmmLower(d: d)
    return GradBenchInstance(
      key: "d=\(d),k=\(k),n=\(n),m=\(m),gamma=\(gamma)", values: values, inputs: inputs)
  }

  /// ode: x is float[n], s the number of steps.
  private func ode(_ input: GradBenchFields) throws -> GradBenchInstance {
    let x = try input.tensor("x", rank: 1)
    let n = try atLeast(2, x.shape[0], "the length of x")
    let s = try atLeast(1, input.integer("s"), "s")
    try checkSize([n, s], "n * s")  // reverse mode keeps y after every step
    let h = 2 / Double(s)
    let values = [
      "n": "\(n)", "s": "\(s)", "h": "\(h)", "half_h": "\(h / 2)", "sixth_h": "\(h / 6)",
    ]
    return GradBenchInstance(key: "n=\(n),s=\(s)", values: values, inputs: ["x": x])
  }

  /// lstm: main_params float[2l][4b], extra_params float[3][b], state float[2l][b] and
  /// sequence float[c][b], for l layers, b bits per character and c characters. The
  /// template's `#step` block is one layer.
  private func lstm(_ input: GradBenchFields) throws -> GradBenchInstance {
    let main = try input.tensor("main_params", rank: 2)
    let extra = try input.tensor("extra_params", rank: 2)
    let state = try input.tensor("state", rank: 2)
    let sequence = try input.tensor("sequence", rank: 2)
    let (rows, b) = (state.shape[0], state.shape[1])
    guard rows >= 2, rows % 2 == 0, b >= 1 else {
      throw GradBenchError(
        "lstm: state must have shape [2l, b] with l >= 1 and b >= 1, got \(state.shape)")
    }
    let l = rows / 2
    // Each layer is written out in the graph (the template's `#step` block).
    guard l <= 64 else { throw GradBenchError("l = \(l) layers is more than 64") }
    let c = try atLeast(2, sequence.shape[0], "the number of characters")
    try checkSize([c, l, b], "c * l * b")
    for (name, tensor, shape) in [
      ("main_params", main, [rows, 4 * b]), ("extra_params", extra, [3, b]),
      ("sequence", sequence, [c, b]),
    ] where tensor.shape != shape {
      throw GradBenchError(
        "lstm input '\(name)' must have shape \(shape) for l = \(l), b = \(b), c = \(c), got \(tensor.shape)"
      )
    }
    let inputs = [
      "main_params": main, "extra_params": extra, "state": state, "sequence": sequence,
    ]
    let values = [
      "l": "\(l)", "b": "\(b)", "c": "\(c)", "rows": "\(rows)", "b2": "\(2 * b)",
      "b3": "\(3 * b)", "b4": "\(4 * b)", "steps": "\(c - 1)", "count": "\((c - 1) * b)",
      "main_count": "\(8 * l * b)", "extra_count": "\(3 * b)",
    ]
    let steps = (1...l).map { layer in
      [
        "L": "\(layer)", "previous": "\(layer - 1)", "weight_row": "\(2 * layer - 2)",
        "bias_row": "\(2 * layer - 1)",
      ]
    }
    return GradBenchInstance(
      key: "l=\(l),b=\(b),c=\(c)", values: values, steps: steps, inputs: inputs)
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

extension GradBenchModule {
  /// det: A is float[ell * ell] in row-major order. The tables of each level of minors
  /// (see `GradBench/det.graph`) are built here, once per size.
  private func det(_ input: GradBenchFields) throws -> GradBenchInstance {
    let a = try input.tensor("A", rank: 1)
    let l = try atLeast(1, input.integer("ell"), "ell")
    guard l <= 20 else { throw GradBenchError("ell = \(l) is more than 20") }
    guard a.shape[0] == l * l else {
      throw GradBenchError("det: A has \(a.shape[0]) elements, ell * ell = \(l * l)")
    }
    var inputs = ["A": a]
    var steps: [[String: String]] = []
    // The column sets of the previous level, as bit masks, and where each one sits.
    var previous: [Int: Int] = [0: 0]
    for k in 1...l {
      let sets = (0..<(1 << l)).filter { $0.nonzeroBitCount == k }
      var columns: [Double] = []
      var smaller: [Double] = []
      var signs: [Double] = []
      for set in sets {
        var t = 0
        for column in 0..<l where set & (1 << column) != 0 {
          columns.append(Double(column))
          smaller.append(Double(previous[set & ~(1 << column)]!))
          signs.append(t % 2 == 0 ? 1 : -1)
          t += 1
        }
      }
      let shape = [sets.count, k]
      inputs["columns_\(k)"] = Tensor(.i64, shape: shape, scalars: columns)
      inputs["smaller_\(k)"] = Tensor(.i64, shape: shape, scalars: smaller)
      inputs["signs_\(k)"] = Tensor(.f64, shape: shape, scalars: signs)
      steps.append([
        "k": "\(k)", "previous": "\(k - 1)", "row": "\(l - k)", "count": "\(sets.count)",
      ])
      previous = Dictionary(uniqueKeysWithValues: sets.enumerated().map { ($1, $0) })
    }
    return GradBenchInstance(
      key: "ell=\(l)", values: ["l": "\(l)", "ll": "\(l * l)"], steps: steps, inputs: inputs)
  }
}

extension GradBenchModule {
  /// ba: one camera (11 numbers), one point (3), one weight and one feature (2), which the
  /// eval asks to be repeated: n cameras, m points, p observations and their weights and
  /// features, observation i seeing camera i mod n and point i mod m. The copies are made
  /// here (in `prepare`) and the compiled graph works on all of them, as the eval requires.
  private func ba(_ input: GradBenchFields) throws -> GradBenchInstance {
    let n = try atLeast(1, input.integer("n"), "n")
    let m = try atLeast(1, input.integer("m"), "m")
    let p = try atLeast(1, input.integer("p"), "p")
    try checkSize([n, 11], "n * 11")
    try checkSize([m, 3], "m * 3")
    try checkSize([p, 30], "p * 30")
    let cam = try input.tensor("cam", rank: 1)
    let x = try input.tensor("x", rank: 1)
    let feat = try input.tensor("feat", rank: 1)
    let w = try input.number("w")
    for (name, tensor, length) in [("cam", cam, 11), ("x", x, 3), ("feat", feat, 2)]
    where tensor.shape[0] != length {
      throw GradBenchError("ba: '\(name)' must have \(length) numbers, got \(tensor.shape[0])")
    }
    func repeated(_ tensor: Tensor, _ count: Int) -> Tensor {
      Tensor(
        .f64, shape: [count, tensor.shape[0]],
        scalars: Array([[Double]](repeating: tensor.scalars, count: count).joined()))
    }
    let observations = 0..<p
    let inputs = [
      "cams": repeated(cam, n), "X": repeated(x, m), "feats": repeated(feat, p),
      "w": Tensor(.f64, shape: [p], scalars: [Double](repeating: w, count: p)),
      "cam_index": Tensor(.i64, shape: [p], scalars: observations.map { Double($0 % n) }),
      "point_index": Tensor(.i64, shape: [p], scalars: observations.map { Double($0 % m) }),
    ]
    return GradBenchInstance(
      key: "n=\(n),m=\(m),p=\(p)", values: ["n": "\(n)", "m": "\(m)", "p": "\(p)"],
      inputs: inputs)
  }
}

/// ba's objective as the eval writes it: the first observation's two errors and the first
/// weight error, each with how many times it is repeated.
private func baObjective(_ outputs: [Tensor], _: [String: String]) throws -> String {
  let (reprojection, weight) = (outputs[0], outputs[1])
  let p = weight.shape[0]
  let elements = try reprojection.scalars[0..<2].map(GradBenchJSON.number)
  return GradBenchJSON.object([
    (
      "reproj_error",
      GradBenchJSON.object([
        ("elements", "[\(elements.joined(separator: ", "))]"), ("repeated", "\(p)"),
      ])
    ),
    (
      "w_err",
      GradBenchJSON.object([
        ("element", try GradBenchJSON.number(weight.scalars[0])), ("repeated", "\(p)"),
      ])
    ),
  ])
}

/// ba's Jacobian as the eval writes it: the compressed-row matrix of the reference (for each
/// observation two rows of 15 entries: its camera's 11 columns, its point's 3 and its
/// weight's 1; then one row per weight error), cut to its first 30 and its last entry of
/// `rows`, `cols` and `vals`. The graph computed every entry; `outputs[0]` holds each
/// observation's 30 entries, `outputs[1]` each weight error's derivative.
private func baJacobian(_ outputs: [Tensor], _ sizes: [String: String]) throws -> String {
  let (blocks, weights) = (outputs[0], outputs[1])
  let p = weights.shape[0]
  guard blocks.shape == [p, 30], let n = sizes["n"].flatMap(Int.init),
    let m = sizes["m"].flatMap(Int.init)
  else {
    throw GradBenchError("ba: the Jacobian blocks have shape \(blocks.shape), not [\(p), 30]")
  }
  // The first observation sees camera 0 and point 0; the last entry is the last weight's.
  let first = Array(0..<11) + [11 * n, 11 * n + 1, 11 * n + 2, 11 * n + 3 * m]
  let cols = first + first + [11 * n + 3 * m + p - 1]
  var rows = (0..<min(30, 3 * p + 1)).map { $0 <= 2 * p ? 15 * $0 : 30 * p + ($0 - 2 * p) }
  rows.append(31 * p)
  var vals = try blocks.scalars[0..<30].map(GradBenchJSON.number)
  vals.append(try GradBenchJSON.number(weights.scalars[p - 1]))
  func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
  return GradBenchJSON.object([
    ("rows", list(rows.map(String.init))), ("cols", list(cols.map(String.init))),
    ("vals", list(vals)),
  ])
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

/// Where each entry of L_k, in row-major order, comes from in `[0, l_k]`: 0 on and above
/// the diagonal; below it, 1 + the entry's place in l_k, which fills L_k column by column
/// (column c holds the next d - 1 - c entries, from row c + 1 down).
func gmmLower(d: Int) -> Tensor {
  var lower = [Double](repeating: 0, count: d * d)
  var place = 0
  for column in 0..<d {
    for row in (column + 1)..<d {
      place += 1
      lower[row * d + column] = Double(place)
    }
  }
  return Tensor(.i64, shape: [d * d], scalars: lower)
}

/// `value` if it is at least `minimum`, else a `GradBenchError` naming `what`.
func atLeast(_ minimum: Int, _ value: Int, _ what: String) throws -> Int {
  guard value >= minimum else {
    throw GradBenchError("\(what) must be \(minimum) or more, got \(value)")
  }
  return value
}

/// Refuses sizes whose product (the elements of a tensor the graph holds) is beyond what
/// could be allocated, 2^34, checking before any arithmetic on them can overflow.
func checkSize(_ factors: [Int], _ what: String) throws {
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

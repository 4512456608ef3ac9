import GraphIR

/// Compares gradient nodes with central finite differences, in double precision.
///
/// The evaluator runs a graph on named inputs and returns its outputs by name, so the check
/// works on the interpreter (`Interpreter.run`) or on compiled kernels alike.
///
/// Method: for every element `x[j]`, `h = 1e-6 * max(1, |x[j]|)` and
/// `fd = (f(x + h e_j) - f(x - h e_j)) / (x₊ - x₋)`, dividing by the step actually taken after
/// rounding. The truncation error is O(h²|f'''|), the rounding error about `ε|f|/h`, so f64
/// agrees to ~1e-8 on smooth functions. The function is always evaluated in f64 (an f32 graph
/// is promoted), so f32 gradients are judged against an accurate reference.
///
/// Error of one element: `|g - fd| / max(1, |g|, |fd|)`: relative for large values, absolute
/// below 1, so exact zeros compare sensibly. NaN matches only NaN, an infinity only itself.
/// Near a kink (relu at 0, abs at 0, ties of max) finite differences see the average of both
/// sides and may disagree with the documented convention.
///
/// Sampling: every element costs two runs of the graph, so a large gradient (an MLP's weight
/// matrix has ~100k elements) can be checked at a sample of its elements instead
/// (`maxElements`, see `samplePositions`). A sample catches a rule that is wrong everywhere
/// (the usual kind of bug) but can miss an error confined to a few elements; checking every
/// element (`maxElements: nil`) is exhaustive.
public enum GradientCheck {
  /// One gradient to check: `gradient` is `grad(y, x)`.
  public struct Case: Sendable {
    public var y: NodeID
    public var x: NodeID
    public var gradient: NodeID
    /// A name for reports (e.g. `grad(f, x)`).
    public var label: String

    public init(y: NodeID, x: NodeID, gradient: NodeID, label: String) {
      self.y = y
      self.x = x
      self.gradient = gradient
      self.label = label
    }
  }

  /// The outcome for one case.
  public struct Result: Sendable, CustomStringConvertible {
    public var label: String
    /// The worst error over the elements (see the type's documentation).
    public var worstError: Double
    /// The flat index of the worst element.
    public var worstIndex: Int
    /// The gradient and the finite difference there.
    public var computed: Double
    public var estimated: Double
    public var tolerance: Double
    /// How many elements were compared, and how many the gradient has.
    public var compared: Int
    public var total: Int
    public var passed: Bool { worstError <= tolerance }

    public var description: String {
      let status = passed ? "ok" : "FAILED"
      return "\(label): \(status), worst error \(worstError) at element \(worstIndex) "
        + "(gradient \(formatNumber(computed)), finite difference \(formatNumber(estimated))), "
        + "\(compared) of \(total) elements compared"
    }
  }

  /// Runs a graph on named inputs, returning its outputs by name.
  public typealias Evaluator = (Graph, [String: Tensor]) throws -> [String: Tensor]

  /// Checks each case at `inputs`. `tolerance` defaults to 1e-6 for f64 gradients and 1e-3 for
  /// f32 ones. With `maxElements`, each gradient is compared at most at that many elements
  /// (`samplePositions`); `nil` compares every element.
  public static func run(
    _ graph: Graph, cases: [Case], inputs: [String: Tensor], tolerance: Double? = nil,
    maxElements: Int? = nil, evaluate: Evaluator
  ) throws -> [Result] {
    try cases.map { try check(graph, $0, inputs, tolerance, maxElements, evaluate) }
  }

  /// The flat positions compared in a tensor of `count` elements, ascending.
  ///
  /// Every position when `maxElements` is nil or at least `count`. Otherwise the first and
  /// the last element (where off-by-one and broadcasting mistakes show) and `maxElements - 2`
  /// more, distinct and drawn uniformly by a fixed-seed generator: the same count always
  /// gives the same positions, so a failure can be reproduced.
  public static func samplePositions(count: Int, maxElements: Int?) -> [Int] {
    guard let maxElements, maxElements < count else { return Array(0..<count) }
    guard maxElements > 1 else { return maxElements == 1 ? [0] : [] }
    var chosen: Set<Int> = [0, count - 1]
    var generator = SplitMix64(seed: 0x6772_6164_6368_6b00 ^ UInt64(count))
    while chosen.count < maxElements {
      chosen.insert(Int(generator.next() % UInt64(count)))
    }
    return chosen.sorted()
  }

  /// The name the variable gets as an input of the cut graph: plain (it may reach generated
  /// C) and unused by the graph.
  static func variableName(in graph: Graph) -> String {
    var name = "gradient_check_x"
    while graph.argument(named: name) != nil { name += "_" }
    return name
  }

  private static func check(
    _ graph: Graph, _ c: Case, _ inputs: [String: Tensor], _ tolerance: Double?,
    _ maxElements: Int?, _ evaluate: Evaluator
  ) throws -> Result {
    // The gradient, and x's value, at the unperturbed point.
    var base = graph
    base.outputs = [GraphOutput("gradient", c.gradient), GraphOutput("x", c.x)]
    let known = try evaluate(base, inputs)
    guard let g = known["gradient"], let x = known["x"] else {
      preconditionFailure("gradient check: the evaluator returned no value for an output")
    }
    let variable = variableName(in: graph)
    let cut = try promotedFunction(graph, y: c.y, x: c.x, as: variable)
    var result = Result(
      label: c.label, worstError: 0, worstIndex: 0, computed: g.scalars.first ?? 0,
      estimated: g.scalars.first ?? 0,
      tolerance: tolerance ?? (g.dtype == .f32 ? 1e-3 : 1e-6), compared: 0,
      total: x.scalars.count)
    let positions = samplePositions(count: x.scalars.count, maxElements: maxElements)
    result.compared = positions.count
    for j in positions {
      let h = 1e-6 * Swift.max(1, Swift.abs(x.scalars[j]))
      var plus = x
      var minus = x
      plus.scalars[j] += h
      minus.scalars[j] -= h
      let step = plus.scalars[j] - minus.scalars[j]
      // y cannot depend on a node built after it: its derivative is exactly 0.
      var fd = 0.0
      if c.x <= c.y {
        let up = try value(cut, inputs, variable, plus, evaluate)
        let down = try value(cut, inputs, variable, minus, evaluate)
        fd = (up - down) / step
      }
      let e = error(g.scalars[j], fd)
      if e > result.worstError {
        (result.worstError, result.worstIndex) = (e, j)
        (result.computed, result.estimated) = (g.scalars[j], fd)
      }
    }
    return result
  }

  /// SplitMix64 (Steele, Lea and Flood 2014): a tiny, well-mixed generator, enough to spread
  /// sample positions; written out so the positions never depend on the standard library's.
  private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  /// `|g - fd| / max(1, |g|, |fd|)`, 0 when both are the same non-finite value, else inf.
  static func error(_ g: Double, _ fd: Double) -> Double {
    if g.isNaN || fd.isNaN { return g.isNaN && fd.isNaN ? 0 : .infinity }
    if !g.isFinite || !fd.isFinite { return g == fd ? 0 : .infinity }
    return Swift.abs(g - fd) / Swift.max(1, Swift.abs(g), Swift.abs(fd))
  }

  private static func value(
    _ graph: Graph, _ inputs: [String: Tensor], _ variable: String, _ x: Tensor,
    _ evaluate: Evaluator
  ) throws -> Double {
    // Exactly the cut graph's arguments, floats in f64 (integers keep their type).
    var all: [String: Tensor] = [:]
    for id in graph.arguments {
      guard let name = graph[id].op.inputName, let given = inputs[name] else { continue }
      all[name] = Tensor(graph[id].type.dtype, shape: given.shape, scalars: given.scalars)
    }
    all[variable] = Tensor(.f64, shape: x.shape, scalars: x.scalars)
    guard let y = try evaluate(graph, all)["y"]?.scalar else {
      preconditionFailure("gradient check: the evaluator returned no scalar for y")
    }
    return y
  }

  /// The function `x ↦ y` as a graph in f64: node `x` becomes an input (its operands held
  /// fixed, which is what a gradient with respect to a defined value means), every other
  /// node keeps its op, inputs keep their names, float nodes become f64 and integer nodes
  /// (indices, labels) keep their type. Loops are written out first (their bodies
  /// have types of their own), which throws if they do not fit the node limit.
  static func promotedFunction(_ graph: Graph, y: NodeID, x: NodeID, as name: String)
    throws -> Graph
  {
    if graph.nodes.contains(where: \.op.isLoop) {
      let (unrolled, nodes) = try Unroll.mapping(graph)
      return try promotedFunction(unrolled, y: nodes[y.index], x: nodes[x.index], as: name)
    }
    let b = GraphBuilder()
    b.rewrites = .none
    let variable: NodeID
    do {
      variable = try b.input(name, TensorType(.f64, graph[x].type.shape))
    } catch {
      preconditionFailure(
        "gradient check: declaring the variable failed: \(error)\n\(graph.context(around: x))")
    }
    let replayed = b.replay(
      graph, keeping: { $0 <= y }, type: { promoted(graph[$0].type) },
      substitutes: [x: variable], pass: "gradient check")
    b.output("y", replayed[y])
    return b.graph
  }

  /// A float type in f64; an integer type as it is.
  private static func promoted(_ type: TensorType) -> TensorType {
    type.dtype.isFloat ? TensorType(.f64, type.shape) : type
  }
}

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
    public var passed: Bool { worstError <= tolerance }

    public var description: String {
      let status = passed ? "ok" : "FAILED"
      return "\(label): \(status), worst error \(worstError) at element \(worstIndex) "
        + "(gradient \(formatNumber(computed)), finite difference \(formatNumber(estimated)))"
    }
  }

  /// Runs a graph on named inputs, returning its outputs by name.
  public typealias Evaluator = (Graph, [String: Tensor]) throws -> [String: Tensor]

  /// Checks each case at `inputs`. `tolerance` defaults to 1e-6 for f64 gradients and 1e-3 for
  /// f32 ones.
  public static func run(
    _ graph: Graph, cases: [Case], inputs: [String: Tensor], tolerance: Double? = nil,
    evaluate: Evaluator
  ) throws -> [Result] {
    try cases.map { try check(graph, $0, inputs, tolerance, evaluate) }
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
    _ evaluate: Evaluator
  ) throws -> Result {
    // The gradient, and x's value, at the unperturbed point.
    var base = graph
    base.outputs = [GraphOutput("gradient", c.gradient), GraphOutput("x", c.x)]
    let known = try evaluate(base, inputs)
    guard let g = known["gradient"], let x = known["x"] else {
      preconditionFailure("gradient check: the evaluator returned no value for an output")
    }
    let variable = variableName(in: graph)
    let cut = promotedFunction(graph, y: c.y, x: c.x, as: variable)
    var result = Result(
      label: c.label, worstError: 0, worstIndex: 0, computed: g.scalars.first ?? 0,
      estimated: g.scalars.first ?? 0,
      tolerance: tolerance ?? (g.dtype == .f32 ? 1e-3 : 1e-6))
    for j in x.scalars.indices {
      let h = 1e-6 * Swift.max(1, Swift.abs(x.scalars[j]))
      var plus = x
      var minus = x
      plus.scalars[j] += h
      minus.scalars[j] -= h
      let step = plus.scalars[j] - minus.scalars[j]
      // y cannot depend on a node built after it: its derivative is exactly 0.
      guard c.x <= c.y else {
        (result.worstError, result.worstIndex) = (
          Swift.max(result.worstError, error(g.scalars[j], 0)), j
        )
        continue
      }
      let up = try value(cut, inputs, variable, plus, evaluate)
      let down = try value(cut, inputs, variable, minus, evaluate)
      let fd = (up - down) / step
      let e = error(g.scalars[j], fd)
      if e > result.worstError {
        (result.worstError, result.worstIndex) = (e, j)
        (result.computed, result.estimated) = (g.scalars[j], fd)
      }
    }
    return result
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
    // Exactly the cut graph's arguments, in f64.
    var all: [String: Tensor] = [:]
    for id in graph.arguments {
      guard let name = graph[id].op.inputName, let given = inputs[name] else { continue }
      all[name] = Tensor(.f64, shape: given.shape, scalars: given.scalars)
    }
    all[variable] = Tensor(.f64, shape: x.shape, scalars: x.scalars)
    guard let y = try evaluate(graph, all)["y"]?.scalar else {
      preconditionFailure("gradient check: the evaluator returned no scalar for y")
    }
    return y
  }

  /// The function `x ↦ y` as a graph in f64: node `x` becomes an input (its operands held
  /// fixed, which is what a gradient with respect to a defined value means), every other
  /// node keeps its op, inputs keep their names.
  static func promotedFunction(_ graph: Graph, y: NodeID, x: NodeID, as variable: String)
    -> Graph
  {
    let b = GraphBuilder()
    b.simplifies = false
    var map: [NodeID: NodeID] = [:]
    for id in graph.ids where id <= y {
      let node = graph[id]
      let type = TensorType(.f64, node.type.shape)
      do {
        switch node.op {
        case _ where id == x: map[id] = try b.input(variable, type)
        case .input(let name): map[id] = try b.input(name, type)
        case .param(let name):
          map[id] = try b.param(name, type, initializer: graph.initializers[name] ?? .fill(0))
        default: map[id] = try b.apply(node.op, node.inputs.map { map[$0] ?? $0 }, type: type)
        }
      } catch {
        preconditionFailure(
          "gradient check: rebuilding in f64 failed: \(error)\n\(graph.context(around: id))")
      }
    }
    b.output("y", map[y] ?? y)
    return b.graph
  }
}

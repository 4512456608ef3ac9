import Autodiff
import GraphIR

/// Steering a 2-D vehicle to a target state, in the style of CasADi's single-shooting
/// examples: the unicycle model integrated by Runge-Kutta 4 over `horizon` intervals.
///
/// The state is (x, y, heading θ, speed v) and the control of interval `t` is
/// (acceleration a, turn rate ω), held over the interval:
///
///     ẋ = v cos θ,  ẏ = v sin θ,  θ̇ = ω,  v̇ = a.
///
/// The cost is the control effort plus a quadratic penalty on missing the target,
///
///     J(u) = ½ h Σ_t (a_t² + ω_t²) + ½ ρ |x_N − x_target|²,   h = duration / horizon,
///
/// so the final state misses the target by O(|λ| / ρ), λ the adjoint of x_N: a large ρ
/// reaches the target closely, at the price of a worse-conditioned Hessian, which a
/// Newton-type solver handles.
public struct VehicleProblem: Sendable {
  /// Number of RK4 intervals.
  public var horizon: Int
  /// Length of the manoeuvre in seconds.
  public var duration: Double
  /// The weight ρ of the terminal penalty.
  public var terminalWeight: Double
  /// The initial state (x, y, θ, v).
  public var start: [Double]
  /// The target state (x, y, θ, v).
  public var target: [Double]

  public init(
    horizon: Int = 100, duration: Double = 4, terminalWeight: Double = 1e4,
    start: [Double] = [0, 0, 0, 0], target: [Double] = [2, 1, Double.pi / 2, 0]
  ) {
    self.horizon = horizon
    self.duration = duration
    self.terminalWeight = terminalWeight
    self.start = start
    self.target = target
  }

  /// The length of one interval.
  public var step: Double { duration / Double(horizon) }

  /// The number of control values: (a, ω) per interval.
  public var controlCount: Int { 2 * horizon }

  /// The graph of the cost and its gradient: input `u` (f64[horizon, 2]); outputs `cost`,
  /// `gradient` (shaped like `u`) and `final` (the four components of x_N).
  public func costAndGradientGraph() throws -> Graph {
    let b = GraphBuilder()
    let u = try b.input("u", .f64, shape: [horizon, 2])
    let (cost, final) = try self.cost(of: u)
    b.outputs(["cost": cost, "gradient": try grad(cost, u), "final": final])
    return b.graph
  }

  /// The graph of the Hessian-vector product: inputs `u` and `v` (both f64[horizon, 2]);
  /// output `hv`, the Hessian of the cost at `u` times `v` (forward mode over reverse mode).
  public func hessianVectorGraph() throws -> Graph {
    let b = GraphBuilder()
    let u = try b.input("u", .f64, shape: [horizon, 2])
    let v = try b.input("v", .f64, shape: [horizon, 2])
    let (cost, _) = try self.cost(of: u)
    let hv = try hvp(of: cost.id, withRespectTo: u.id, vector: v.id, in: b)
    b.outputs(["hv": Value(b, hv)])
    return b.graph
  }

  /// The cost J(u) and the final state (f64[4]) of the controls `u` (f64[horizon, 2]): one
  /// `scan` over the rows of `u`, whose body is one RK4 step with the four state components
  /// as carries.
  public func cost(of u: Value) throws -> (cost: Value, final: Value) {
    let h = step
    let initial = start.map { u.builder.scalar($0, like: u.id) }.map { Value(u.builder, $0) }
    let (final, _) = try scan(initial, over: [u]) { _, x, row in
      let (a, omega) = (try row[0][.at(0)], try row[0][.at(1)])
      // The unicycle's right-hand side at state s.
      func f(_ s: [Value]) throws -> [Value] {
        [try s[3] * cos(s[2]), try s[3] * sin(s[2]), omega, a]
      }
      func along(_ k: [Value], _ c: Double) throws -> [Value] {
        try zip(x, k).map { try $0 + c * $1 }
      }
      let k1 = try f(x)
      let k2 = try f(along(k1, h / 2))
      let k3 = try f(along(k2, h / 2))
      let k4 = try f(along(k3, h))
      let next = try (0..<4).map { i -> Value in
        let middle: Value = try k2[i] + k3[i]
        let slope: Value = try k1[i] + 2 * middle + k4[i]
        return try x[i] + (h / 6) * slope
      }
      return (next, [])
    }
    var miss = try square(final[0] - target[0])
    for i in 1..<4 { miss = try miss + square(final[i] - target[i]) }
    let cost = try 0.5 * h * sum(u * u) + 0.5 * terminalWeight * miss
    return (cost, try concat(final.map { try reshape($0, [1]) }, axis: 0))
  }
}

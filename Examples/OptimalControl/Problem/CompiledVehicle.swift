import GraphCompiler
import GraphIR

/// The vehicle problem's cost, gradient and Hessian-vector product as compiled functions on
/// flat arrays of controls (a_0, ω_0, a_1, ω_1, ...), the form the solver works in.
public final class CompiledVehicle {
  /// The problem compiled.
  public let problem: VehicleProblem
  private let costAndGradient: ExecutionContext
  private let hessianVector: ExecutionContext

  /// Builds and compiles both graphs with `options`.
  public init(_ problem: VehicleProblem, options: CompileOptions = CompileOptions()) throws {
    self.problem = problem
    costAndGradient = try Pipeline.compile(problem.costAndGradientGraph(), options: options)
      .makeContext()
    hessianVector = try Pipeline.compile(problem.hessianVectorGraph(), options: options)
      .makeContext()
  }

  private func controls(_ u: [Double]) -> Tensor {
    Tensor(.f64, shape: [problem.horizon, 2], scalars: u)
  }

  /// J(u) and ∇J(u).
  public func valueAndGradient(_ u: [Double]) throws -> (value: Double, gradient: [Double]) {
    try costAndGradient.setInput("u", controls(u))
    try costAndGradient.run()
    return (costAndGradient.output(at: 0).scalars[0], costAndGradient.output(at: 1).scalars)
  }

  /// The final state x_N of the controls u.
  public func finalState(_ u: [Double]) throws -> [Double] {
    try costAndGradient.setInput("u", controls(u))
    try costAndGradient.run()
    return costAndGradient.output(at: 2).scalars
  }

  /// ∇²J(u) v.
  public func hessianTimes(_ u: [Double], _ v: [Double]) throws -> [Double] {
    try hessianVector.setInput("u", controls(u))
    try hessianVector.setInput("v", controls(v))
    try hessianVector.run()
    return hessianVector.output(at: 0).scalars
  }

  /// Solves from zero controls with `solver`.
  public func solve(
    _ solver: TrustRegionNewton = TrustRegionNewton(),
    progress: (Int, Double, Double, Double) -> Void = { _, _, _, _ in }
  ) throws -> TrustRegionNewton.Result {
    try solver.minimise(
      from: [Double](repeating: 0, count: problem.controlCount), valueAndGradient,
      hessianTimes: hessianTimes, progress: progress)
  }
}

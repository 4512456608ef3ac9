// Steers a 2-D vehicle (the unicycle, RK4 over a horizon of 100 intervals, written as a
// `scan` over the controls) to a target state: the cost's gradient and Hessian-vector
// products are compiled once, and a trust-region Newton-CG solver written in Swift calls
// them until the gradient vanishes.
import ArgumentParser
import Foundation
import GraphCompiler
import OptimalControl

struct OptimalControlCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "optimal-control",
    abstract: "Steer a 2-D vehicle to a target state by trust-region Newton-CG on compiled HVPs.")

  @Option(help: "RK4 intervals.") var horizon = 100
  @Option(help: "Length of the manoeuvre in seconds.") var duration = 4.0
  @Option(help: "Weight of the terminal penalty.") var weight = 1e4
  @Option(help: "Target state x,y,heading,speed.") var target = "2,1,1.5707963267948966,0"
  @Option(help: "tcc (in-process TinyCC) or cc (system compiler).") var backend = "tcc"
  @Option(help: "Newton iterations at most.") var maxIterations = 100
  @Flag(help: "Print one JSON object with the results.") var json = false
  @Flag(help: "Print the generated C of the cost and gradient and stop.") var emitC = false

  func run() throws {
    let goal = target.split(separator: ",").compactMap { Double($0) }
    guard goal.count == 4, horizon >= 1, duration > 0, weight > 0 else {
      throw ValidationError("--target takes four numbers; --horizon, --duration, --weight > 0")
    }
    guard let backend = Backend(rawValue: backend) else {
      throw ValidationError("--backend is tcc or cc")
    }
    let problem = VehicleProblem(
      horizon: horizon, duration: duration, terminalWeight: weight, target: goal)
    if emitC {
      print(try Pipeline.emitC(problem.costAndGradientGraph()).source)
      return
    }
    let clock = ContinuousClock()
    var compiled: CompiledVehicle?
    let compileTime = try clock.measure {
      compiled = try CompiledVehicle(problem, options: CompileOptions(backend: backend))
    }
    guard let compiled else { return }
    var solver = TrustRegionNewton()
    solver.maxIterations = maxIterations
    var result: TrustRegionNewton.Result?
    let solveTime = try clock.measure {
      result = try compiled.solve(solver) { k, value, gNorm, radius in
        if !json {
          print(
            String(
              format: "iter %3d  cost %.10e  |grad| %.3e  radius %.3e", k, value, gNorm, radius))
        }
      }
    }
    guard let result else { return }
    let final = try compiled.finalState(result.point)
    let error = zip(final, goal).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
    let effort = result.point.map { $0 * $0 }.reduce(0, +) * problem.step
    let ms = { (d: Duration) in
      Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1e3
    }
    if json {
      let object: [String: Any] = [
        "horizon": horizon, "backend": "\(backend)", "iterations": result.iterations,
        "hessian_vector_products": result.hessianProducts, "evaluations": result.evaluations,
        "converged": result.converged, "cost": result.value, "gradient_norm": result.gradientNorm,
        "final_state": final, "final_state_error": error, "control_effort": effort,
        "compile_ms": ms(compileTime), "solve_ms": ms(solveTime),
      ]
      let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    } else {
      print(
        """
        \(result.converged ? "converged" : "stopped") after \(result.iterations) Newton iterations, \
        \(result.hessianProducts) Hessian-vector products, \(result.evaluations) gradients
        final state \(final.map { String(format: "%.6f", $0) }.joined(separator: ", ")) \
        (target \(goal.map { String(format: "%.6f", $0) }.joined(separator: ", ")))
        final state error \(String(format: "%.3e", error)); control effort \(String(format: "%.4f", effort))
        compile \(String(format: "%.1f", ms(compileTime))) ms (\(backend)), \
        solve \(String(format: "%.1f", ms(solveTime))) ms
        """)
    }
  }
}

OptimalControlCommand.main()

import Foundation
import GraphCompiler
import OptimalControl
import Testing

/// The vehicle problem compiled, against the same cost written out in Swift: its value, its
/// gradient and Hessian-vector products by central finite differences, and the solver
/// reaching the target.
@Suite struct VehicleProblemTests {
  static let problem = VehicleProblem(horizon: 20, duration: 4, terminalWeight: 1e4)

  /// The unicycle integrated by RK4 in plain Swift: J(u) and x_N.
  static func swiftCost(_ p: VehicleProblem, _ u: [Double]) -> (Double, [Double]) {
    func f(_ s: [Double], _ a: Double, _ w: Double) -> [Double] {
      [s[3] * cos(s[2]), s[3] * sin(s[2]), w, a]
    }
    let h = p.step
    var x = p.start
    for t in 0..<p.horizon {
      let (a, w) = (u[2 * t], u[2 * t + 1])
      let k1 = f(x, a, w)
      let k2 = f(zip(x, k1).map { $0 + h / 2 * $1 }, a, w)
      let k3 = f(zip(x, k2).map { $0 + h / 2 * $1 }, a, w)
      let k4 = f(zip(x, k3).map { $0 + h * $1 }, a, w)
      x = (0..<4).map { x[$0] + h / 6 * (k1[$0] + 2 * k2[$0] + 2 * k3[$0] + k4[$0]) }
    }
    let effort = u.map { $0 * $0 }.reduce(0, +)
    let miss = zip(x, p.target).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
    return (0.5 * h * effort + 0.5 * p.terminalWeight * miss, x)
  }

  /// Controls with some of everything: turning, speeding up and slowing down.
  static let controls = (0..<40).map { 0.8 * sin(0.7 * Double($0) + 0.3) }

  @Test(arguments: [Backend.tcc, .cc])
  func valueGradientAndHessianMatchSwiftAndFiniteDifferences(backend: Backend) throws {
    let p = Self.problem
    let compiled = try CompiledVehicle(p, options: CompileOptions(backend: backend))
    let u = Self.controls
    let (value, gradient) = try compiled.valueAndGradient(u)
    let (expected, final) = Self.swiftCost(p, u)
    #expect(abs(value - expected) <= 1e-12 * abs(expected))
    let compiledFinal = try compiled.finalState(u)
    for (a, b) in zip(compiledFinal, final) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b))) }

    // Central differences of the Swift cost, step 1e-5: truncation error O(ε² f''') and
    // rounding O(|J| 1e-16 / ε); relative agreement 1e-6 leaves a wide margin for both.
    let eps = 1e-5
    for k in [0, 1, 7, 20, 39] {
      var (plus, minus) = (u, u)
      plus[k] += eps
      minus[k] -= eps
      let fd = (Self.swiftCost(p, plus).0 - Self.swiftCost(p, minus).0) / (2 * eps)
      #expect(abs(gradient[k] - fd) <= 1e-6 * max(1, abs(fd)), "dJ/du[\(k)]")
    }
    // H v against central differences of the compiled gradient along v.
    let v = (0..<40).map { cos(1.3 * Double($0)) }
    let hv = try compiled.hessianTimes(u, v)
    let gPlus = try compiled.valueAndGradient(zip(u, v).map { $0 + eps * $1 }).gradient
    let gMinus = try compiled.valueAndGradient(zip(u, v).map { $0 - eps * $1 }).gradient
    let scale = hv.map(abs).max() ?? 1
    for k in 0..<40 {
      let fd = (gPlus[k] - gMinus[k]) / (2 * eps)
      #expect(abs(hv[k] - fd) <= 1e-6 * max(1, scale), "(Hv)[\(k)]")
    }
  }

  @Test func theSolverReachesTheTarget() throws {
    let p = Self.problem
    let compiled = try CompiledVehicle(p)
    let result = try compiled.solve()
    #expect(result.converged)
    #expect(result.iterations < 50)
    // The final state by the Swift integration of the solution, not by the graph.
    let final = Self.swiftCost(p, result.point).1
    let error = zip(final, p.target).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
    #expect(error < 1e-2, "final state \(final)")
  }
}

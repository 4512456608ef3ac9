import OptimalControl
import Testing

/// The solver on functions whose minimum is known, with their derivatives written by hand.
@Suite struct TrustRegionNewtonTests {
  /// Rosenbrock's f(x, y) = (1 - x)² + 100 (y - x²)², minimum 0 at (1, 1), from (-1.2, 1):
  /// the curved valley where steepest descent crawls and Newton needs its trust region.
  @Test func rosenbrockReachesItsMinimum() throws {
    let f: TrustRegionNewton.ValueAndGradient = { p in
      let (x, y) = (p[0], p[1])
      let value = (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
      return (value, [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    }
    // H = [[2 - 400 (y - x²) + 800 x², -400 x], [-400 x, 200]].
    let hv: TrustRegionNewton.HessianTimes = { p, v in
      let (x, y) = (p[0], p[1])
      let hxx = 2 - 400 * (y - x * x) + 800 * x * x
      return [hxx * v[0] - 400 * x * v[1], -400 * x * v[0] + 200 * v[1]]
    }
    let result = try TrustRegionNewton().minimise(from: [-1.2, 1], f, hessianTimes: hv)
    #expect(result.converged)
    #expect(abs(result.point[0] - 1) < 1e-8 && abs(result.point[1] - 1) < 1e-8)
    #expect(result.iterations < 60)
  }

  /// A quadratic with a negative eigenvalue has no minimum: the solver must not stop at the
  /// saddle, and each accepted step lowers f.
  @Test func aSaddleIsLeft() throws {
    var values: [Double] = []
    var solver = TrustRegionNewton()
    solver.maxIterations = 5
    let result = try solver.minimise(
      from: [0.5, 0],
      { p in (p[0] * p[0] - p[1] * p[1] + 0.1 * p[1], [2 * p[0], -2 * p[1] + 0.1]) },
      hessianTimes: { _, v in [2 * v[0], -2 * v[1]] }
    ) { _, value, _, _ in values.append(value) }
    #expect(!result.converged)
    #expect(zip(values, values.dropFirst()).allSatisfy { $1 <= $0 })
    #expect(result.value < -1)
  }
}

/// Minimises a smooth function by trust-region Newton-CG (Steihaug-Toint), using only its
/// value, its gradient and Hessian-vector products: Nocedal and Wright, *Numerical
/// Optimization*, algorithms 4.1 and 7.2.
///
/// Each outer iteration approximately minimises the quadratic model
/// m(p) = f + g·p + ½ p·Hp over the ball |p| ≤ Δ by conjugate gradients, stopping at the
/// ball's edge, on negative curvature, or once the residual is below
/// min(½, √|g|)·|g| (which makes the local convergence superlinear). The step is taken when
/// the actual decrease is at least a tenth of the model's, and Δ shrinks or grows with that
/// ratio.
public struct TrustRegionNewton {
  /// The function's value and gradient at a point.
  public typealias ValueAndGradient = ([Double]) throws -> (value: Double, gradient: [Double])
  /// The Hessian at the first argument times the second.
  public typealias HessianTimes = ([Double], [Double]) throws -> [Double]

  /// Stop when the gradient's norm is below this.
  public var gradientTolerance = 1e-8
  /// Stop after this many outer iterations.
  public var maxIterations = 100
  /// The initial trust radius.
  public var initialRadius = 1.0
  /// The largest trust radius.
  public var maxRadius = 1e3

  public init() {}

  /// What the solver did.
  public struct Result: Sendable {
    /// The last point.
    public var point: [Double]
    /// f at the last point.
    public var value: Double
    /// |∇f| at the last point.
    public var gradientNorm: Double
    /// Outer (Newton) iterations.
    public var iterations: Int
    /// Hessian-vector products, over all the conjugate-gradient iterations.
    public var hessianProducts: Int
    /// Evaluations of the value and gradient.
    public var evaluations: Int
    /// Whether the gradient tolerance was reached.
    public var converged: Bool
  }

  /// Minimises from `start`; `progress` is called after each outer iteration.
  public func minimise(
    from start: [Double], _ f: ValueAndGradient, hessianTimes: HessianTimes,
    progress: (Int, Double, Double, Double) -> Void = { _, _, _, _ in }
  ) throws -> Result {
    var x = start
    var (value, g) = try f(x)
    var result = Result(
      point: x, value: value, gradientNorm: norm(g), iterations: 0, hessianProducts: 0,
      evaluations: 1, converged: false)
    var radius = initialRadius
    while result.iterations < maxIterations {
      let gNorm = norm(g)
      if gNorm <= gradientTolerance {
        result.converged = true
        break
      }
      let tolerance = min(0.5, gNorm.squareRoot()) * gNorm
      let (p, products) = try steihaug(
        g, radius: radius, tolerance: tolerance, maxSteps: 2 * x.count
      ) { try hessianTimes(x, $0) }
      result.hessianProducts += products.count
      // m(0) - m(p) = -(g·p + ½ p·Hp), with Hp accumulated alongside p.
      let predicted = -(dot(g, p) + 0.5 * dot(p, products.hp))
      let candidate = zip(x, p).map { $0 + $1 }
      let (newValue, newG) = try f(candidate)
      result.evaluations += 1
      let actual = value - newValue
      let ratio = predicted > 0 ? actual / predicted : -1
      let pNorm = norm(p)
      if ratio < 0.25 {
        radius = 0.25 * pNorm
      } else if ratio > 0.75 && pNorm >= 0.99 * radius {
        radius = min(2 * radius, maxRadius)
      }
      if ratio > 0.1 {
        (x, value, g) = (candidate, newValue, newG)
      }
      result.iterations += 1
      progress(result.iterations, value, norm(g), radius)
    }
    result.point = x
    result.value = value
    result.gradientNorm = norm(g)
    result.converged = result.converged || result.gradientNorm <= gradientTolerance
    return result
  }

  /// Steihaug's truncated conjugate gradients for min g·p + ½ p·Hp, |p| ≤ radius: returns
  /// p, H p, and how many products with H it took.
  private func steihaug(
    _ g: [Double], radius: Double, tolerance: Double, maxSteps: Int,
    _ hessianTimes: ([Double]) throws -> [Double]
  ) throws -> ([Double], (count: Int, hp: [Double])) {
    var p = [Double](repeating: 0, count: g.count)
    var hp = p
    var r = g  // the model's gradient at p: g + H p
    var d = g.map { -$0 }
    var count = 0
    for _ in 0..<maxSteps {
      let hd = try hessianTimes(d)
      count += 1
      let curvature = dot(d, hd)
      if curvature <= 0 {
        // Negative curvature: go along d to the edge of the region.
        let tau = toBoundary(p, d, radius)
        return (axpy(tau, d, p), (count, axpy(tau, hd, hp)))
      }
      let alpha = dot(r, r) / curvature
      let next = axpy(alpha, d, p)
      if norm(next) >= radius {
        let tau = toBoundary(p, d, radius)
        return (axpy(tau, d, p), (count, axpy(tau, hd, hp)))
      }
      p = next
      hp = axpy(alpha, hd, hp)
      let rNext = axpy(alpha, hd, r)
      if norm(rNext) < tolerance { return (p, (count, hp)) }
      let beta = dot(rNext, rNext) / dot(r, r)
      r = rNext
      d = zip(r, d).map { -$0 + beta * $1 }
    }
    return (p, (count, hp))
  }

  /// The τ ≥ 0 with |p + τ d| = radius (p inside the ball): the positive root of
  /// |d|² τ² + 2 p·d τ + |p|² − radius² = 0.
  private func toBoundary(_ p: [Double], _ d: [Double], _ radius: Double) -> Double {
    let (a, b, c) = (dot(d, d), 2 * dot(p, d), dot(p, p) - radius * radius)
    return (-b + (b * b - 4 * a * c).squareRoot()) / (2 * a)
  }
}

func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
/// a·x + y
func axpy(_ a: Double, _ x: [Double], _ y: [Double]) -> [Double] {
  zip(x, y).map { a * $0 + $1 }
}

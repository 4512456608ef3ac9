import Autodiff
import GraphIR
import GraphTestSupport
import Testing

/// Second derivatives (grad of grad), Hessian-vector products and dense Hessians.
@Suite struct HigherOrderTests {
  struct Example: CustomTestStringConvertible, Sendable {
    let name: String
    let f: @Sendable (Value) throws -> Value
    /// d²f/dx² by hand.
    let second: @Sendable (Double) -> Double
    var testDescription: String { name }
  }

  static let examples: [Example] = [
    Example(name: "power", f: { x in try x ** 3 }, second: { 6 * $0 }),
    Example(name: "sum", f: { x in try x ** 2 + sin(x) }, second: { 2 - _sin($0) }),
    Example(
      name: "product", f: { x in try x ** 2 * exp(x) },
      second: { x in (x * x + 4 * x + 2) * _exp(x) }),
    Example(
      name: "quotient", f: { x in try sin(x) / x },
      second: { x in
        -_sin(x) / x - 2 * _cos(x) / (x * x) + 2 * _sin(x) / (x * x * x)
      }),
    Example(
      name: "chain", f: { x in try sin(x ** 2) },
      second: { x in 2 * _cos(x * x) - 4 * x * x * _sin(x * x) }),
    Example(
      name: "tanh", f: { x in try tanh(x) },
      second: { x in
        let t = _tanh(x)
        return -2 * t * (1 - t * t)
      }),
    Example(name: "sqrt", f: { x in try sqrt(x) }, second: { x in -0.25 * _pow(x, -1.5) }),
    Example(
      name: "general power", f: { x in try x ** x },
      second: { x in
        _pow(x, x) * ((_log(x) + 1) * (_log(x) + 1) + 1 / x)
      }),
    Example(
      name: "erf", f: { x in try erf(x) },
      second: { x in -4 * x / Double.pi.squareRoot() * _exp(-x * x) }),
    // gelu'' = (2 - x^2) phi(x) with phi the standard normal density.
    Example(
      name: "gelu", f: { x in try gelu(x) },
      second: { x in (2 - x * x) * _exp(-x * x / 2) / (2 * Double.pi).squareRoot() }),
    // lgamma'' = trigamma, SciPy's polygamma(1, x) at the three points.
    Example(
      name: "lgamma", f: { x in try lgamma(x) },
      second: { x in
        [0.7: 2.8340491566946113, 1.3: 1.1342534349966191, 2.0: 0.6449340668482266][x] ?? .nan
      }),
  ]

  @Test(arguments: examples, [0.7, 1.3, 2.0]) func secondDerivative(_ e: Example, _ at: Double)
    throws
  {
    let g = GraphBuilder()
    let x = try g.input("x")
    let d2 = try grad(grad(e.f(x), x), x)
    g.outputs(["d2": d2])
    let out = try Interpreter.run(Simplify.run(g.graph), ["x": Tensor(at)])
    let value = try #require(out["d2"]?.scalar)
    #expect(Swift.abs(value - e.second(at)) <= 1e-12 * Swift.max(1, Swift.abs(value)))
  }

  /// lgamma's third derivative would need tetragamma, which graphc does not implement: an
  /// error naming the limit, never a wrong value (forward mode too).
  @Test func thirdDerivativeOfLgammaIsAnError() throws {
    let g = GraphBuilder()
    let x = try g.input("x")
    let second = try grad(grad(lgamma(x), x), x)
    #expect(throws: GraphError.self) { try grad(second, x) }
    do {
      _ = try grad(second, x)
    } catch let error as GraphError {
      #expect(
        error.description
          == "the derivative of 'trigamma' is not implemented: lgamma can be differentiated "
          + "at most twice, and digamma once")
    }
    let tangent = try g.input("t")
    #expect(throws: GraphError.self) {
      try jvp(of: [second.id], withRespectTo: [x.id], tangents: [tangent.id], in: g)
    }
  }

  /// Hessian-vector products through running sums and stepped slices (linear ops whose
  /// VJPs are a reversed running sum and a scatter built from reshape, pad and slice) against
  /// finite differences of the gradient.
  @Test func hessianVectorProductThroughCumsumAndSteppedSlices() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [7, 4]))
    let v = try b.input("v", TensorType(.f64, [7, 4]))
    let picked = try b.index(x, [.range(nil, nil, step: -2), .range(1, nil, step: 2)])
    let running = try b.cumsum(b.mul(picked, b.sin(picked)), axis: 0)
    let f = try b.sum(
      b.mul(
        b.cumsum(b.mul(running, running), axis: -1),
        b.lgamma(b.add(running, b.scalar(4, like: running)))))
    let gradient = try Autodiff.gradient(of: f, withRespectTo: [x], in: b)[0]
    let directional = try b.sum(b.mul(gradient, v))
    let hvp = try Autodiff.gradient(of: directional, withRespectTo: [x], in: b)[0]
    let values = ["x": sampleTensor([7, 4], seed: 3), "v": sampleTensor([7, 4], seed: 4)]
    let error = try checkGradient(
      b.graph, of: directional, withRespectTo: "x", gradient: hvp, at: values)
    #expect(error < 1e-6)
  }

  /// Second derivatives through `take` (repeated and negative indices) and its transpose:
  /// a Hessian-vector product against central differences of the gradient.
  @Test func hessianVectorProductThroughTake() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [5, 3]))
    let v = try b.input("v", TensorType(.f64, [5, 3]))
    let idx = try b.input("idx", TensorType(.i64, [4]))
    let rows = try b.take(x, idx, axis: 0)
    let f = try b.sum(b.mul(b.sin(rows), b.mul(rows, rows)))
    let gradient = try Autodiff.gradient(of: f, withRespectTo: [x], in: b)[0]
    let directional = try b.sum(b.mul(gradient, v))
    let hvp = try Autodiff.gradient(of: directional, withRespectTo: [x], in: b)[0]
    let values = [
      "x": sampleTensor([5, 3], seed: 5), "v": sampleTensor([5, 3], seed: 6),
      "idx": Tensor(.i64, shape: [4], scalars: [1, -1, 1, 0]),
    ]
    let error = try checkGradient(
      b.graph, of: directional, withRespectTo: "x", gradient: hvp, at: values)
    #expect(error < 1e-6)
  }

  @Test func thirdDerivativeOfQuarticPrintsAndEvaluates() throws {
    let g = GraphBuilder()
    let x = try g.input("x")
    let d3 = try grad(grad(grad(x ** 4, x), x), x)
    g.outputs(["d3": d3])
    let graph = Simplify.run(g.graph)
    #expect(mathText(graph) == ["d3 = 24*x"])
    #expect(try Interpreter.run(graph, ["x": Tensor(0.5)])["d3"] == Tensor(12))
  }

  /// f(x) = sum(tanh(A x)^2) + sum(x^3) · c, with x of 3 elements.
  func tensorFunction(_ b: GraphBuilder) throws -> (x: NodeID, f: NodeID) {
    let x = try b.input("x", TensorType(.f64, [3]))
    let a = try b.input("A", TensorType(.f64, [2, 3]))
    let h = try b.tanh(b.matmul(a, x))
    let cube = try b.mul(b.mul(x, x), x)
    let f = try b.add(b.sum(b.mul(h, h)), b.sum(b.mul(cube, b.sin(x))))
    return (x, f)
  }

  let inputs: [String: Tensor] = [
    "x": Tensor(shape: [3], scalars: [0.3, -0.8, 1.1]),
    "A": Tensor(shape: [2, 3], scalars: [0.5, -1, 0.25, 2, 0.1, -0.7]),
    "v": Tensor(shape: [3], scalars: [1, -2, 0.5]),
  ]

  @Test func hessianVectorProductEqualsDenseHessianTimesVector() throws {
    let b = GraphBuilder()
    let (x, f) = try tensorFunction(b)
    let v = try b.input("v", TensorType(.f64, [3]))
    let hv = try hvp(of: f, withRespectTo: x, vector: v, in: b)
    let h = try hessian(of: f, withRespectTo: x, in: b)
    let dense = try b.matmul(h, v)
    // The grad(sum(grad(f, x) * v), x) form of the language gives the same product.
    let g = try gradient(of: f, withRespectTo: [x], in: b)[0]
    let reverse = try gradient(of: b.sum(b.mul(g, v)), withRespectTo: [x], in: b)[0]
    let values = try Interpreter.evaluate(b.graph, inputs)
    #expect(b.type(h).shape == [3, 3])
    #expect(worstError(values[hv.index], values[dense.index]) < 1e-12)
    #expect(worstError(values[reverse.index], values[dense.index]) < 1e-12)
    // The Hessian is symmetric and matches finite differences of the gradient.
    let hm = values[h.index].scalars
    for i in 0..<3 { for j in 0..<3 { #expect(Swift.abs(hm[3 * i + j] - hm[3 * j + i]) < 1e-12) } }
    let fd = try FiniteDifferences.directionalDerivative(
      b.graph, of: g, at: inputs, along: ["x": inputs["v"] ?? Tensor(0)])
    #expect(worstError(values[hv.index], fd) < 1e-6)
  }

  @Test func jacobianOfElementwiseFunctionIsDiagonal() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [3]))
    let j = try jacobian(of: b.exp(x), withRespectTo: x, in: b)
    let out = try Interpreter.evaluate(b.graph, inputs)[j.index]
    let xs = inputs["x"]?.scalars ?? []
    #expect(out.shape == [3, 3])
    for i in 0..<3 {
      for k in 0..<3 { #expect(out.scalars[3 * i + k] == (i == k ? _exp(xs[i]) : 0)) }
    }
  }

  /// Derivatives nested deep grow exponentially; the builder's node limit stops them with a
  /// typed error instead of minutes of work (the language reports it at the `grad`).
  @Test func nestedGradientsStopAtTheNodeLimit() throws {
    let b = GraphBuilder()
    b.nodeLimit = 20_000
    let x = try b.input("x")
    var y = try sigmoid(x)
    var depth = 0
    #expect(throws: GraphError.self) {
      while depth < 40 {
        y = try grad(y, x)
        depth += 1
      }
    }
    #expect(depth > 3 && depth < 40, "depth \(depth)")
    #expect(b.graph.nodes.count <= 20_000 + 100)
  }
}

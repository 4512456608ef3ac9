import Autodiff
import GraphIR
import GraphTestSupport
import Testing

/// Reverse and forward mode through loop nodes against central finite differences, to
/// second order: the derivatives are loops themselves, so differentiating them again
/// exercises the rules on their own output.
@Suite struct LoopDerivativeTests {
  /// `c_{t+1} = tanh(c_t * x_t + w) * w`, stacking `y_t = sin(c_{t+1})`, four steps, with
  /// `l = sum(ys) + c_T^2`; built into `b`.
  static func build(_ b: GraphBuilder) throws -> (l: NodeID, c0: NodeID, xs: NodeID, w: NodeID) {
    let (body, p) = try GraphBuilder.loopBody(
      parameters: [.scalar(.f64), .scalar(.f64), .scalar(.f64)])
    let next = try body.mul(body.tanh(body.add(body.mul(p[0], p[1]), p[2])), p[2])
    body.setOutputs([GraphOutput("c", next), GraphOutput("y", try body.sin(next))])
    let c0 = try b.input("c0", .scalar(.f64))
    let xs = try b.input("xs", TensorType(.f64, [4]))
    let w = try b.input("w", .scalar(.f64))
    let r = try b.loop(count: 4, body: body.graph, carries: [c0], slices: [xs], captures: [w])
    let l = try b.add(b.sum(r[1]), b.mul(r[0], r[0]))
    return (l, c0, xs, w)
  }

  static let inputs: [String: Tensor] = [
    "c0": Tensor(0.3), "xs": Tensor(.f64, shape: [4], scalars: [0.9, -0.4, 1.3, 0.2]),
    "w": Tensor(0.7),
  ]

  @Test func reverseModeMatchesFiniteDifferences() throws {
    let b = GraphBuilder()
    let v = try Self.build(b)
    let gradients = try gradient(of: v.l, withRespectTo: [v.c0, v.xs, v.w], in: b)
    for (name, g) in zip(["c0", "xs", "w"], gradients) {
      let error = try checkGradient(
        b.graph, of: v.l, withRespectTo: name, gradient: g, at: Self.inputs)
      #expect(error < 1e-8, "\(name)")
    }
  }

  @Test func secondDerivativesMatchFiniteDifferences() throws {
    let b = GraphBuilder()
    let v = try Self.build(b)
    let gw = try gradient(of: v.l, withRespectTo: [v.w], in: b)[0]
    let second = try gradient(of: gw, withRespectTo: [v.w, v.c0], in: b)
    for (name, g) in zip(["w", "c0"], second) {
      let error = try checkGradient(
        b.graph, of: gw, withRespectTo: name, gradient: g, at: Self.inputs)
      #expect(error < 1e-7, "\(name)")
    }
  }

  @Test func forwardModeMatchesFiniteDifferences() throws {
    let b = GraphBuilder()
    let v = try Self.build(b)
    let tw = try b.input("tw", .scalar(.f64))
    let txs = try b.input("txs", TensorType(.f64, [4]))
    let derivative = try jvp(of: [v.l], withRespectTo: [v.w, v.xs], tangents: [tw, txs], in: b)[0]
    var inputs = Self.inputs
    inputs["tw"] = Tensor(0.5)
    inputs["txs"] = Tensor(.f64, shape: [4], scalars: [1, -2, 0.5, 3])
    let computed = try Interpreter.evaluate(b.graph, inputs)[derivative.index]
    let estimated = try FiniteDifferences.directionalDerivative(
      b.graph, of: v.l, at: inputs, along: ["w": Tensor(0.5), "xs": inputs["txs"] ?? Tensor(0)])
    #expect(worstError(computed, estimated) < 1e-8)
  }

  /// A loop built with the Swift API's closure: the gradient with respect to the captured
  /// weight adds up over the iterations.
  @Test func capturedWeightThroughTheSwiftAPI() throws {
    let g = GraphBuilder()
    let x = try g.input("x")
    let w = try g.input("w")
    let y = try repeatLoop(5, [x]) { scope, c in [try sin(c[0] * scope(w)) + c[0]] }[0]
    let dw = try grad(y, w)
    let inputs = ["x": Tensor(0.4), "w": Tensor(1.3)]
    #expect(
      try checkGradient(g.graph, of: y.id, withRespectTo: "w", gradient: dw.id, at: inputs) < 1e-8)
  }

  /// Forward over reverse through both loops: `H v` for the captured weight.
  @Test func hessianVectorProductThroughALoop() throws {
    let b = GraphBuilder()
    let v = try Self.build(b)
    let direction = try b.input("v", .scalar(.f64))
    let hv = try hvp(of: v.l, withRespectTo: v.w, vector: direction, in: b)
    let gw = try gradient(of: v.l, withRespectTo: [v.w], in: b)[0]
    var inputs = Self.inputs
    inputs["v"] = Tensor(1.5)
    let computed = try Interpreter.evaluate(b.graph, inputs)[hv.index]
    let estimated = try FiniteDifferences.directionalDerivative(
      b.graph, of: gw, at: inputs, along: ["w": Tensor(1.5)])
    #expect(worstError(computed, estimated) < 1e-7)
  }
}

import Autodiff
import GraphIR
import GraphTestSupport
import Testing

/// The library checker behind `graphc check`, run on the interpreter.
@Suite struct GradientCheckTests {
  func network(_ dtype: DType) throws -> (Graph, [GradientCheck.Case], [String: Tensor]) {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(dtype, [4, 3]))
    let w = try b.param("w", TensorType(dtype, [3, 2]))
    let bias = try b.param("b", TensorType(dtype, [2]))
    let t = try b.input("onehot", TensorType(dtype, [4, 2]))
    let logits = try b.add(b.matmul(b.tanh(x), w), bias)
    let loss = try b.crossEntropy(logits: logits, onehot: t)
    let grads = try gradient(of: loss, withRespectTo: [w, bias, x], in: b)
    let cases = zip(["w", "b", "x"], [w, bias, x]).enumerated().map { i, pair in
      GradientCheck.Case(y: loss, x: pair.1, gradient: grads[i], label: "grad(loss, \(pair.0))")
    }
    let inputs = [
      "x": sampleTensor([4, 3], seed: 1, dtype: dtype),
      "w": sampleTensor([3, 2], seed: 2, dtype: dtype),
      "b": sampleTensor([2], seed: 3, dtype: dtype),
      "onehot": Tensor(dtype, shape: [4, 2], scalars: [1, 0, 0, 1, 0, 1, 1, 0]),
    ]
    return (b.graph, cases, inputs)
  }

  @Test(arguments: [DType.f64, .f32]) func correctGradientsPass(_ dtype: DType) throws {
    let (graph, cases, inputs) = try network(dtype)
    let results = try GradientCheck.run(
      graph, cases: cases, inputs: inputs, evaluate: Interpreter.run)
    #expect(results.count == 3)
    for r in results { #expect(r.passed, "\(r)") }
  }

  @Test func aWrongGradientFailsAndIsReported() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [3]))
    let y = try b.sum(b.sin(x))
    let wrong = try b.sin(x)  // should be cos(x)
    let results = try GradientCheck.run(
      b.graph, cases: [GradientCheck.Case(y: y, x: x, gradient: wrong, label: "grad(y, x)")],
      inputs: ["x": Tensor(shape: [3], scalars: [0.1, 1, 2])], evaluate: Interpreter.run)
    #expect(results.count == 1 && !results[0].passed)
    #expect("\(results[0])".hasPrefix("grad(y, x): FAILED, worst error"))
  }

  @Test func nonFiniteValuesMatchOnlyThemselves() {
    let cases: [(Double, Double, Bool)] = [
      (.nan, .nan, true), (.infinity, .infinity, true), (.nan, 1, false), (.infinity, 1e300, false),
      (1, 1 + 1e-9, true),
    ]
    for (g, fd, same) in cases {
      let a = Tensor(shape: [1], scalars: [g])
      let c = Tensor(shape: [1], scalars: [fd])
      #expect(isClose(a, c, tolerance: 1e-6) == same, "\(g) vs \(fd)")
    }
  }
}

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

  /// Integer inputs (here the indices of `take`) keep their type in the checked function;
  /// promoting them to f64 made `take` refuse them, and `graphc check` crash.
  @Test func integerIndicesStayIntegers() throws {
    let b = GraphBuilder()
    let table = try b.param("table", TensorType(.f32, [4, 2]))
    let idx = try b.input("idx", TensorType(.i64, [3]))
    let loss = try b.sum(b.square(b.take(table, idx, axis: 0)))
    let grads = try gradient(of: loss, withRespectTo: [table], in: b)
    let cases = [GradientCheck.Case(y: loss, x: table, gradient: grads[0], label: "table")]
    let inputs = [
      "table": sampleTensor([4, 2], seed: 4, dtype: .f32),
      "idx": Tensor(.i64, shape: [3], scalars: [2, 0, 2]),
    ]
    let results = try GradientCheck.run(
      b.graph, cases: cases, inputs: inputs, evaluate: Interpreter.run)
    #expect(results.count == 1)
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

  @Test func samplePositionsAreDeterministicAndKeepTheEnds() {
    let positions = GradientCheck.samplePositions(count: 100_352, maxElements: 64)
    #expect(positions == GradientCheck.samplePositions(count: 100_352, maxElements: 64))
    #expect(positions.count == 64 && Set(positions).count == 64)
    #expect(positions == positions.sorted())
    #expect(positions.first == 0 && positions.last == 100_351)
    #expect(positions.allSatisfy { (0..<100_352).contains($0) })
    // Small tensors, and no limit, compare every element.
    #expect(GradientCheck.samplePositions(count: 10, maxElements: 64) == Array(0..<10))
    #expect(GradientCheck.samplePositions(count: 64, maxElements: 64) == Array(0..<64))
    #expect(GradientCheck.samplePositions(count: 500, maxElements: nil) == Array(0..<500))
    #expect(GradientCheck.samplePositions(count: 500, maxElements: 2) == [0, 499])
  }

  /// A sample finds a rule that is wrong everywhere, but can miss an error at one element;
  /// comparing every element (`maxElements: nil`) is exhaustive.
  @Test func samplingCanMissALocalizedErrorButAllElementsCannot() throws {
    let n = 1000
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [n]))
    let y = try b.sum(b.mul(x, x))
    // 2x everywhere, except one element (not in the sample) off by 1.
    let unsampled = try #require(
      (0..<n).first { !GradientCheck.samplePositions(count: n, maxElements: 8).contains($0) })
    var bump = [Double](repeating: 0, count: n)
    bump[unsampled] = 1
    let bumpNode = try b.input("bump", TensorType(.f64, [n]))
    let wrong = try b.add(b.mul(b.constant(2, TensorType(.f64, [n])), x), bumpNode)
    let inputs = [
      "x": sampleTensor([n], seed: 4, dtype: .f64), "bump": Tensor(shape: [n], scalars: bump),
    ]
    let c = GradientCheck.Case(y: y, x: x, gradient: wrong, label: "grad(y, x)")
    let sampled = try GradientCheck.run(
      b.graph, cases: [c], inputs: inputs, maxElements: 8, evaluate: Interpreter.run)
    #expect(sampled[0].passed && sampled[0].compared == 8 && sampled[0].total == n)
    let exhaustive = try GradientCheck.run(
      b.graph, cases: [c], inputs: inputs, evaluate: Interpreter.run)
    #expect(!exhaustive[0].passed && exhaustive[0].worstIndex == unsampled)
    #expect(exhaustive[0].compared == n)
  }

  @Test func aGradientWrongEverywhereFailsOnASample() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [1000]))
    let y = try b.sum(b.sin(x))
    let results = try GradientCheck.run(
      b.graph, cases: [GradientCheck.Case(y: y, x: x, gradient: b.sin(x), label: "grad(y, x)")],
      inputs: ["x": sampleTensor([1000], seed: 5, dtype: .f64)], maxElements: 16,
      evaluate: Interpreter.run)
    #expect(!results[0].passed && results[0].compared == 16)
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

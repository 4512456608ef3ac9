import GraphIR
import Testing

/// Hand-computed values of the seed examples through the reference interpreter.
@Suite struct InterpreterSeedTests {
  @Test func quadraticAtTwoIsSeventeen() throws {
    let g = GraphBuilder()
    let x = try g.input("x")
    let f = try 3 * x ** 2 + 2 * x + 1
    g.outputs(["f": f])
    let out = try Interpreter.run(g.graph, ["x": Tensor(2)])
    #expect(out["f"] == Tensor(17))
  }

  @Test func broadcastingAndReductions() throws {
    let g = GraphBuilder()
    let a = try g.input("a", shape: [2, 3])
    let b = try g.input("b", shape: [3])
    let s = try sum(a * b, axes: [-1])
    let m = try reduceMax(a + b, axes: [0])
    g.outputs(["s": s, "m": m])
    let out = try Interpreter.run(
      g.graph,
      [
        "a": Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]),
        "b": Tensor(shape: [3], scalars: [1, 0, -1]),
      ])
    #expect(out["s"] == Tensor(shape: [2], scalars: [-2, -2]))
    #expect(out["m"] == Tensor(shape: [3], scalars: [5, 5, 5]))
  }

  @Test func matmulVectorRules() throws {
    let g = GraphBuilder()
    let a = try g.input("a", shape: [2, 3])
    let v = try g.input("v", shape: [3])
    let w = try g.input("w", shape: [2])
    g.outputs(["av": try matmul(a, v), "wa": try matmul(w, a)])
    let out = try Interpreter.run(
      g.graph,
      [
        "a": Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]),
        "v": Tensor(shape: [3], scalars: [1, 1, 1]),
        "w": Tensor(shape: [2], scalars: [1, -1]),
      ])
    #expect(out["av"] == Tensor(shape: [2], scalars: [6, 15]))
    #expect(out["wa"] == Tensor(shape: [3], scalars: [-3, -3, -3]))
  }

  @Test func shapeMismatchNamesTheOperator() throws {
    let g = GraphBuilder()
    let a = try g.input("a", .f32, shape: [128, 784])
    let b = try g.input("b", .f32, shape: [512, 10])
    #expect(throws: GraphError.shapeMismatch(op: "@", operands: [a.type, b.type])) {
      try matmul(a, b)
    }
    #expect(
      "\(GraphError.shapeMismatch(op: "@", operands: [a.type, b.type]))"
        == "shape mismatch in '@': f32[128,784] @ f32[512,10]")
  }
}

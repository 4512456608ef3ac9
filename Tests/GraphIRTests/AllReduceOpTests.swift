import GraphIR
import Testing

/// `allreduce`: shaped like its float operand, and in one process (the interpreter) the
/// operand itself.
@Suite struct AllReduceOpTests {
  @Test func keepsTheOperandType() throws {
    let b = GraphBuilder()
    let x = try b.input("x", .f32, shape: [2, 3]).id
    let y = try b.allreduce(x)
    #expect(b.type(y) == b.type(x))
    #expect(b.graph.line(y).contains("allreduce"))
  }

  @Test func needsAFloatOperand() throws {
    let b = GraphBuilder()
    let n = try b.input("n", .i64, shape: [3]).id
    #expect(throws: GraphError.needsFloat(op: "allreduce", type: b.type(n))) {
      try b.allreduce(n)
    }
  }

  @Test func isTheIdentityInOneProcess() throws {
    let b = GraphBuilder()
    let x = try b.input("x", .f64, shape: [3]).id
    b.setOutputs([GraphOutput("y", try b.allreduce(x))])
    let values = Tensor(.f64, shape: [3], scalars: [1.5, -2, 0.25])
    #expect(try Interpreter.run(b.graph, ["x": values])["y"] == values)
  }
}

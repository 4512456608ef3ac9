import GraphIR
import Testing

/// GraphLoop nodes built with the builder: results, shape rules, the interpreter against the
/// iterations computed by hand, unrolling, the verifier and the IR text.
@Suite struct LoopIRTests {
  /// `c_{t+1} = c_t * x_t + w`, stacking `c_{t+1}^2`: a scan over `xs` with a captured `w`.
  static func scanGraph(count: Int = 3) throws -> (Graph, [NodeID]) {
    let (body, p) = try GraphBuilder.loopBody(
      parameters: [.scalar(.f64), .scalar(.f64), .scalar(.f64)])
    let next = try body.add(body.mul(p[0], p[1]), p[2])
    body.setOutputs([GraphOutput("c", next), GraphOutput("y", try body.mul(next, next))])
    let b = GraphBuilder()
    let c0 = try b.input("c0", .scalar(.f64))
    let xs = try b.input("xs", TensorType(.f64, [count]))
    let w = try b.input("w", .scalar(.f64))
    let results = try b.loop(
      count: count, body: body.graph, carries: [c0], slices: [xs], captures: [w])
    b.output("c", results[0])
    b.output("ys", results[1])
    return (b.graph, results)
  }

  static let inputs: [String: Tensor] = [
    "c0": Tensor(0.5), "xs": Tensor(.f64, shape: [3], scalars: [2, -1, 3]), "w": Tensor(0.25),
  ]

  @Test func scanComputesEachIteration() throws {
    let (graph, results) = try Self.scanGraph()
    #expect(graph[results[0]].type == .scalar(.f64))
    #expect(graph[results[1]].type == TensorType(.f64, [3]))
    var c = 0.5
    var ys: [Double] = []
    for x in [2.0, -1, 3] {
      c = c * x + 0.25
      ys.append(c * c)
    }
    let outputs = try Interpreter.run(graph, Self.inputs)
    #expect(outputs["c"]?.scalars == [c])
    #expect(outputs["ys"]?.scalars == ys)
    #expect(Verifier.check(graph) == nil)
  }

  /// A reversed scan reads the rows from the last and fills the stacks from the last row.
  @Test func aReversedScanWalksTheRowsBackwards() throws {
    let (body, p) = try GraphBuilder.loopBody(parameters: [.scalar(.f64), .scalar(.f64)])
    let next = try body.add(body.mul(p[0], p[0]), p[1])
    body.setOutputs([GraphOutput("c", next), GraphOutput("y", next)])
    let b = GraphBuilder()
    let c0 = try b.input("c0", .scalar(.f64))
    let xs = try b.input("xs", TensorType(.f64, [3]))
    let r = try b.loop(
      count: 3, body: body.graph, carries: [c0], slices: [xs], captures: [], reverse: true)
    b.output("c", r[0])
    b.output("ys", r[1])
    var c = 0.5
    var ys = [0.0, 0, 0]
    for row in [2, 1, 0] {
      c = c * c + [2.0, -1, 0.25][row]
      ys[row] = c
    }
    let inputs = ["c0": Tensor(0.5), "xs": Tensor(.f64, shape: [3], scalars: [2, -1, 0.25])]
    let outputs = try Interpreter.run(b.graph, inputs)
    #expect(outputs["c"]?.scalars == [c])
    #expect(outputs["ys"]?.scalars == ys)
    #expect(try Interpreter.run(Unroll.run(b.graph), inputs) == outputs)
    #expect(b.graph.text.contains("loop(count: 3, carries: 1, slices: 1, reverse)"))
  }

  @Test func unrollingKeepsTheValues() throws {
    let (graph, _) = try Self.scanGraph()
    let unrolled = try Unroll.run(graph)
    #expect(!unrolled.nodes.contains { $0.op.isLoop })
    #expect(Verifier.check(unrolled) == nil)
    #expect(try Interpreter.run(unrolled, Self.inputs) == Interpreter.run(graph, Self.inputs))
  }

  @Test func aZeroTripLoopIsItsInitialCarries() throws {
    let (body, p) = try GraphBuilder.loopBody(parameters: [.scalar(.f64)])
    body.setOutputs([GraphOutput("c", try body.exp(p[0]))])
    let b = GraphBuilder()
    let x = try b.input("x", .scalar(.f64))
    #expect(try b.loop(count: 0, body: body.graph, carries: [x], slices: [], captures: []) == [x])
  }

  @Test func theTextShowsTheBodyAsANestedBlock() throws {
    let (graph, _) = try Self.scanGraph()
    #expect(
      graph.text == """
        %0 = input "c0" : f64
        %1 = input "xs" : f64[3]
        %2 = input "w" : f64
        %3 = loop(count: 3, carries: 1, slices: 1) %0, %1, %2 : f64[0] {
          %0 = input "p0" : f64
          %1 = input "p1" : f64
          %2 = input "p2" : f64
          %3 = mul %0, %1 : f64
          %4 = add %2, %3 : f64
          %5 = mul %4, %4 : f64
          output c = %4
          output y = %5
        }
        %4 = result(0) %3 : f64
        %5 = result(1) %3 : f64[3]
        output c = %4
        output ys = %5

        """)
  }

  /// A body whose carry changes type, and operands of the wrong types, are errors.
  @Test func theShapeRuleChecksBodyAndOperands() throws {
    let (body, p) = try GraphBuilder.loopBody(parameters: [.scalar(.f64)])
    body.setOutputs([GraphOutput("c", try body.broadcast(p[0], to: [2]))])
    let b = GraphBuilder()
    let x = try b.input("x", .scalar(.f64))
    #expect(throws: GraphError.self) {
      try b.loop(count: 2, body: body.graph, carries: [x], slices: [], captures: [])
    }
    let (same, q) = try GraphBuilder.loopBody(parameters: [.scalar(.f64)])
    same.setOutputs([GraphOutput("c", try same.exp(q[0]))])
    let v = try b.input("v", TensorType(.f64, [2]))
    #expect(throws: GraphError.self) {
      try b.loop(count: 2, body: same.graph, carries: [v], slices: [], captures: [])
    }
  }
}

import Autodiff
import GraphIR
import GraphTestSupport
import Testing

/// The VJP of `allreduce` sums the cotangents over the ranks: in one process, the cotangent
/// itself, which finite differences confirm; the JVP likewise passes the tangent through.
@Suite struct AllReduceGradientTests {
  @Test func gradientMatchesFiniteDifferences() throws {
    let b = GraphBuilder()
    let x = try b.input("x", .f64, shape: [3]).id
    let y = try b.sum(b.mul(b.sin(b.allreduce(b.mul(x, x))), x), axes: [0])
    let g = try gradient(of: y, withRespectTo: [x], in: b)[0]
    #expect(b.graph.nodes.filter { $0.op == .allreduce }.count == 2)  // forward and back
    let inputs = ["x": Tensor(.f64, shape: [3], scalars: [0.3, -1.1, 0.7])]
    let error = try checkGradient(b.graph, of: y, withRespectTo: "x", gradient: g, at: inputs)
    #expect(error < 1e-7)
  }
}

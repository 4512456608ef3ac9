import Foundation
import GraphIR
import Testing

/// `GraphBuilder.replay`: rebuilding a graph, with other types and a substituted node.
@Suite struct ReplayTests {
  /// An f32 graph replayed in f64 with its middle node replaced by a new input: the copy
  /// computes the same function of that input, keeps names, labels and initialisers.
  @Test func promotesAndSubstitutes() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f32, [2]))
    let w = try b.param("w", TensorType(.f32, [2]), initializer: .fill(3))
    let h = try b.mul(x, w)
    b.label(h, "h")
    let y = try b.sum(try b.exp(h))
    b.output("y", y)
    let graph = b.graph

    let copy = GraphBuilder()
    copy.rewrites = .none
    let v = try copy.input("v", TensorType(.f64, [2]))
    let replayed = copy.replay(
      graph, keeping: { $0 <= y }, type: { TensorType(.f64, graph[$0].type.shape) },
      substitutes: [h: v], pass: "test")
    copy.output("y", replayed[y])
    #expect(replayed[h] == v)
    #expect(copy.type(replayed[y]) == .scalar(.f64))
    #expect(copy.graph.initializer(ofParam: replayed[w]) == .fill(3))
    #expect(copy.graph.labels[replayed[x]] == "x")
    let out = try Interpreter.run(
      copy.graph,
      ["v": Tensor(.f64, shape: [2], scalars: [0, 1]), "x": Tensor(filling: 0, .init(.f64, [2]))])
    #expect(out["y"]?.scalar == 1 + Foundation.exp(1))
  }
}

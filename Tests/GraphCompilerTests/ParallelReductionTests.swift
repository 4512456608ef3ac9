import Autodiff
import CCodegen
import GraphIR
import Testing

@testable import GraphCompiler

/// Full reductions run in fixed-size chunks, so threads can share them and the result is
/// the same, to the last bit, for every thread count.
@Suite struct ParallelReductionTests {
  /// W3's shape, value and gradient: sum(tanh(0.7x + 0.3) * sigmoid(x)), on a size that
  /// leaves a partial last chunk.
  func w3(_ n: Int) throws -> Graph {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f32, [n]))
    let u = try b.add(try b.mul(x, b.scalar(0.7, like: x)), b.scalar(0.3, like: x))
    let f = try b.sum(try b.mul(try b.tanh(u), try b.sigmoid(x)))
    let g = try gradient(of: f, withRespectTo: [x], in: b)
    b.output("max", try b.reduceMax(x))
    b.setOutputs([GraphOutput("f", f), GraphOutput("g", g[0])] + b.graph.outputs)
    return b.graph
  }

  @Test func sameBitsForEveryThreadCount() throws {
    let n = 3 * ReductionChunking.reductionChunk + 123
    let graph = try w3(n)
    let inputs = ["x": ramp(TensorType(.f32, [n]), scale: 2)]
    let program = try CEmitter.emit(Pipeline.optimize(graph))
    #expect(
      program.plan.kernels.contains {
        if case .chunkedReduction(let chunked) = $0.kind { chunked.chunks == 4 } else { false }
      })
    #expect(program.source.contains("gc_run(gc_par, gc_par_ctx, gc_k0_range, gc_k0_buffers, 4);"))
    #expect(program.source.contains(/\n  gc_k0_combine\(p[0-9]+, p[0-9]+, part0\);\n/))
    let one = try Pipeline.compile(graph).run(inputs)
    for threads in [2, 3, 5] {
      let many = try Pipeline.compile(graph, options: CompileOptions(threads: threads)).run(inputs)
      #expect(many == one, "\(threads) threads")
    }
    try expectMatchesInterpreter(graph, inputs, "chunked w3")
  }

  /// Small reductions keep the plain loop (no partials).
  @Test func smallReductionsAreNotChunked() throws {
    let program = try CEmitter.emit(Pipeline.optimize(try w3(1000)))
    #expect(
      !program.plan.kernels.contains {
        if case .chunkedReduction = $0.kind { true } else { false }
      })
    #expect(!program.source.contains("_combine"))
  }
}

import Autodiff
import GraphIR
import Testing

@testable import CCodegen

/// The kernels' part of a program (after the prelude).
func kernelText(_ program: CProgram) -> String { program.body }

@Suite struct LoweringTests {
  /// `exp(row)` broadcast over a matrix is computed once per row element, in its own loop,
  /// not once per matrix element.
  @Test func expensiveValueReadThroughABroadcastIsMaterialised() throws {
    let b = GraphBuilder()
    let m = try b.input("m", TensorType(.f64, [300, 4]))
    let row = try b.input("row", TensorType(.f64, [4]))
    let e = try b.exp(row)
    b.output("y", try b.mul(m, e))
    let program = try CEmitter.emit(b.graph)
    #expect(program.plan.bufferOf[e] != nil)
    #expect(program.kernelCount == 2)
    #expect(kernelText(program).components(separatedBy: "exp(").count - 1 == 1)
  }

  /// In softmax, `exp(x - max)` feeds both the row sums and the division, which run in
  /// different kernels, so it is stored once rather than computed twice.
  @Test func expensiveValueUsedByTwoKernelsIsMaterialised() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f32, [8, 10]))
    b.output("p", try b.softmax(x, axis: -1))
    let program = try CEmitter.emit(Simplify.run(b.graph))
    #expect(kernelText(program).components(separatedBy: "expf(").count - 1 == 1)
    #expect(program.kernelCount == 3)  // max; exp and its row sums; division
  }

  /// Cheap values are recomputed wherever they are needed instead of being stored.
  @Test func cheapValuesAreInlined() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [5, 6]))
    let y = try b.mul(try b.add(x, b.scalar(1, like: x)), x)
    b.output("rows", try b.sum(y, axes: [1]))
    b.output("cols", try b.sum(y, axes: [0]))
    b.output("y", y)
    // Without BLAS, which would take the column sums into a kernel of their own.
    let program = try CEmitter.emit(b.graph, options: CodegenOptions(blas: false))
    #expect(program.kernelCount == 1)
    #expect(program.arenaBytes == 0)
    #expect(program.plan.buffers.count == 4)
  }

  /// Every output is written by exactly one root, and kernels only read buffers written by
  /// earlier kernels (or inputs).
  /// The input gradient of a padded convolution (col2im, `windowSum`) reads the product's
  /// gradient through its reshape and transpose, which get no buffer (no copy), and is stored
  /// only where its one user, the slice that drops the padding, keeps it.
  @Test func convolutionGradientReadsThroughTransposes() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [2, 2, 6, 6]))
    let w = try b.input("w", TensorType(.f64, [3, 2, 3, 3]))
    let y = try b.conv2d(x, w, padding: [1, 1])
    let loss = try b.sum(b.mul(y, y))
    b.output("g", try gradient(of: loss, withRespectTo: [x], in: b)[0])
    let graph = Simplify.run(b.graph)
    let plan = Lowering.plan(graph, options: CodegenOptions())
    let sums = graph.ids.filter {
      if case .windowSum = graph[$0].op { return true }
      return false
    }
    #expect(sums.count == 1)
    for sum in sums {
      #expect(plan.bufferOf[sum] == nil)
      #expect(plan.bufferOf[graph[sum].inputs[0]] == nil)
      let source = StoredValues.indexOnlySource(graph, graph[sum].inputs[0])
      guard case .matmul = graph[source].op else {
        Issue.record("col2im reads \(graph[source].op), not the product")
        continue
      }
      #expect(plan.bufferOf[source] != nil)
    }
  }

  @Test func kernelsAreInDependencyOrder() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [4, 6]))
    let l = try b.logsumexp(x, axis: 1)
    b.output("l", l)
    b.output("s", try b.softmax(x, axis: 0))
    b.output("t", try b.matmul(try b.transpose(x), try b.exp(x)))
    let plan = Lowering.plan(Simplify.run(b.graph), options: CodegenOptions())
    var written = Set(
      plan.buffers.indices.filter {
        if case .input = plan.buffers[$0].place { return true }
        return false
      })
    for kernel in plan.kernels {
      #expect(kernel.reads.allSatisfy { written.contains($0) })
      written.formUnion(kernel.writes)
    }
    let outputRoots = plan.kernels.flatMap(\.writes).filter {
      if case .output = plan.buffers[$0].place { return true }
      return false
    }
    #expect(outputRoots.count == 3)
  }
}

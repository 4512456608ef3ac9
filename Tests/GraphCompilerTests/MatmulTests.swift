import Autodiff
import CCodegen
import GraphIR
import Testing

@testable import GraphCompiler

/// Matrix products through BLAS (TinyCC binds cblas_sgemm/dgemm) against the interpreter.
@Suite struct MatmulTests {
  /// Every combination of transposed operands, both dtypes: the transposes are read through
  /// BLAS flags, never copied.
  @Test(arguments: DType.floats, [(false, false), (true, false), (false, true), (true, true)])
  func transposeCombinations(_ t: DType, _ flags: (Bool, Bool)) throws {
    let b = GraphBuilder()
    let (n, k, m) = (5, 7, 3)
    let a = try b.input("a", TensorType(t, flags.0 ? [k, n] : [n, k]))
    let c = try b.input("c", TensorType(t, flags.1 ? [m, k] : [k, m]))
    let left = flags.0 ? try b.transpose(a) : a
    let right = flags.1 ? try b.transpose(c) : c
    b.output("p", try b.matmul(left, right))
    let inputs = [
      "a": ramp(b.type(a)), "c": ramp(b.type(c), shift: 1),
    ]
    try expectMatchesInterpreter(b.graph, inputs, "\(t) transposes \(flags)")
    let program = try CEmitter.emit(b.graph)
    #expect(program.kernelCount == 1, "no transpose copy:\n\(program.source)")
    let gemm = t == .f32 ? "cblas_sgemm" : "cblas_dgemm"
    let expected = "\(gemm)(101, \(flags.0 ? 112 : 111), \(flags.1 ? 112 : 111),"
    #expect(program.source.contains(expected))
  }

  /// The portable loops (standalone export) handle the same combinations.
  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func portableLoopsReadTransposes(_ flags: (Bool, Bool)) throws {
    let b = GraphBuilder()
    let a = try b.input("a", TensorType(.f64, flags.0 ? [4, 3] : [3, 4]))
    let c = try b.input("c", TensorType(.f64, flags.1 ? [2, 4] : [4, 2]))
    b.output(
      "p",
      try b.matmul(flags.0 ? try b.transpose(a) : a, flags.1 ? try b.transpose(c) : c))
    let program = try CEmitter.emit(b.graph, options: CodegenOptions(blas: false))
    #expect(!program.source.contains("cblas_dgemm(101"))
    #expect(program.kernelCount == 1)
  }

  /// Stacks of matrices with every transpose combination, through BLAS and through the
  /// portable loops (the standalone export's), against the interpreter.
  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func stacksOfProducts(_ flags: (Bool, Bool)) throws {
    let b = GraphBuilder()
    let a = try b.input("a", TensorType(.f64, flags.0 ? [3, 4, 2] : [3, 2, 4]))
    let c = try b.input("c", TensorType(.f64, flags.1 ? [3, 5, 4] : [3, 4, 5]))
    let left = flags.0 ? try b.matrixTranspose(a) : a
    let right = flags.1 ? try b.matrixTranspose(c) : c
    b.output("p", try b.matmul(left, right))
    let inputs = ["a": ramp(b.type(a)), "c": ramp(b.type(c), shift: 1)]
    try expectMatchesInterpreter(b.graph, inputs, "stack \(flags)")
    let graph = Pipeline.optimize(b.graph)
    let program = try CEmitter.emit(graph, options: CodegenOptions(blas: false))
    #expect(program.kernelCount == 1, "no transpose copy:\n\(program.source)")
    try expectMatchesInterpreter(graph, inputs, "portable stack \(flags)") { graph in
      let module = try TinyCC.compile(program.source, entry: program.entry)
      return try CompiledGraph(
        graph: graph, program: program, code: module, backend: .tcc, options: CompileOptions())
    }
  }

  /// 1-D operands (row vector, column vector, dot product), and zero sizes, in both dtypes.
  @Test(arguments: DType.floats)
  func vectorsAndEmptyProducts(_ t: DType) throws {
    let b = GraphBuilder()
    let a = try b.input("a", TensorType(t, [4, 6]))
    let v = try b.input("v", TensorType(t, [6]))
    let u = try b.input("u", TensorType(t, [4]))
    b.output("mv", try b.matmul(a, v))
    b.output("vm", try b.matmul(u, a))
    b.output("vv", try b.matmul(v, v))
    b.output("vtm", try b.matmul(u, try b.transpose(try b.transpose(a))))
    let e = try b.input("e", TensorType(t, [0, 6]))
    b.output("empty rows", try b.matmul(e, try b.transpose(a)))
    b.output("empty inner", try b.matmul(try b.transpose(e), e))
    b.output("empty result", try b.matmul(a, try b.transpose(e)))
    let inputs = [
      "a": ramp(b.type(a)), "v": ramp(b.type(v), shift: 1), "u": ramp(b.type(u), shift: 2),
      "e": ramp(b.type(e)),
    ]
    try expectMatchesInterpreter(b.graph, inputs, "\(t) vectors and empty")
  }

  /// A dense layer's gradient (transposes from the VJP) on several threads: graphc splits
  /// the products by rows, results match the interpreter.
  @Test func denseGradientOnThreads() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f32, [300, 40]))
    let w = try b.input("w", TensorType(.f32, [40, 30]))
    let bias = try b.input("bias", TensorType(.f32, [30]))
    let h = try b.relu(try b.add(try b.matmul(x, w), bias))
    let loss = try b.sum(try b.mul(h, h))
    let grads = try gradient(of: loss, withRespectTo: [x, w, bias], in: b)
    b.setOutputs([
      GraphOutput("loss", loss), GraphOutput("dx", grads[0]), GraphOutput("dw", grads[1]),
      GraphOutput("db", grads[2]),
    ])
    let inputs = [
      "x": ramp(b.type(x), scale: 0.1), "w": ramp(b.type(w), scale: 0.1, shift: 1),
      "bias": ramp(b.type(bias), scale: 0.1, shift: 2),
    ]
    try expectMatchesInterpreter(b.graph, inputs, "dense gradient")
    // BLAS may round differently for a different row count (its tail kernels), so two
    // threads are compared with the interpreter, not bit for bit with one thread.
    try expectMatchesInterpreter(b.graph, inputs, "dense gradient, 2 threads") {
      try Pipeline.compile($0, options: CompileOptions(threads: 2))
    }
  }
}

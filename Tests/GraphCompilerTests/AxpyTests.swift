import CCodegen
import GraphIR
import Testing

@testable import GraphCompiler

/// `a - b * s` kernels (gradient-descent steps) as a BLAS copy and axpy, against the
/// interpreter, and the kernels that must keep their loop.
@Suite struct AxpyTests {
  /// `w - g * lr` and `w - lr * g` with `lr` an input scalar, both dtypes, both backends.
  @Test(arguments: DType.floats, [false, true])
  func updateStepMatchesInterpreter(_ t: DType, _ scalarFirst: Bool) throws {
    let b = GraphBuilder()
    let w = try b.input("w", TensorType(t, [6, 5]))
    let g = try b.input("g", TensorType(t, [6, 5]))
    let lr = try b.input("lr", TensorType(t, []))
    let step = try b.broadcast(lr, to: [6, 5])
    b.output("next", try b.sub(w, scalarFirst ? try b.mul(step, g) : try b.mul(g, step)))
    let inputs = [
      "w": ramp(b.type(w)), "g": ramp(b.type(g), shift: 1), "lr": Tensor(0.25, dtype: t),
    ]
    for backend in [Backend.tcc, .cc] {
      try expectMatchesInterpreter(b.graph, inputs, "\(t) axpy on \(backend)") {
        try Pipeline.compile($0, options: CompileOptions(backend: backend))
      }
    }
    let prefix = t == .f32 ? "cblas_s" : "cblas_d"
    let kernels = Self.kernels(try CEmitter.emit(b.graph).source)
    #expect(kernels.contains("\(prefix)copy(30, p0, 1, p5, 1);"), "\(kernels)")
    #expect(kernels.contains("\(prefix)axpy(30, -p2[0], p1, 1, p5, 1);"), "\(kernels)")
  }

  /// Not the form: a broadcast of a vector, and the standalone export (no BLAS).
  @Test func otherKernelsKeepTheirLoop() throws {
    let b = GraphBuilder()
    let w = try b.input("w", TensorType(.f64, [4, 3]))
    let v = try b.input("v", TensorType(.f64, [3]))
    b.output("rows", try b.sub(w, try b.mul(w, try b.broadcast(v, to: [4, 3]))))
    #expect(!Self.kernels(try CEmitter.emit(b.graph).source).contains("axpy"))

    let scalar = GraphBuilder()
    let x = try scalar.input("x", TensorType(.f64, [4, 3]))
    let lr = try scalar.input("lr", TensorType(.f64, []))
    scalar.output(
      "step", try scalar.sub(x, try scalar.mul(x, try scalar.broadcast(lr, to: [4, 3]))))
    #expect(Self.kernels(try CEmitter.emit(scalar.graph).source).contains("cblas_daxpy("))
    let portable = try CEmitter.emit(scalar.graph, options: CodegenOptions(blas: false)).source
    #expect(!Self.kernels(portable).contains("axpy"))
  }

  /// The program after the prelude (which declares the CBLAS functions).
  static func kernels(_ source: String) -> Substring {
    guard let start = source.range(of: "static void gc_k0") else { return "" }
    return source[start.lowerBound...]
  }
}

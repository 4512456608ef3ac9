import Foundation
import GraphIR
import GraphTestSupport
import Testing

@testable import CCodegen

/// `f = sum(tanh(0.7*x + 0.3) * sigmoid(x))` and its gradient, the fused-loop showcase.
func lossAndGradient(_ t: DType, count: Int = 8) throws -> Graph {
  let b = GraphBuilder()
  try buildLossAndGradient(b, t, count: count)
  return Simplify.run(b.graph)
}

@Suite struct CEmitterTests {
  @Test func lossAndGradientAreOneLoop() throws {
    let program = try CEmitter.emit(try lossAndGradient(.f32))
    #expect(program.kernelCount == 1)
    #expect(program.arenaBytes == 0)
    #expect(program.source.components(separatedBy: "for (").count - 1 == 1)
    #expect(program.source.contains("double acc"))
    #expect(program.source.contains("tanhf("))
    #expect(!program.source.contains("= tanh("))
  }

  @Test func sameGraphSameBytes() throws {
    let a = try CEmitter.emit(try lossAndGradient(.f64)).source
    let b = try CEmitter.emit(try lossAndGradient(.f64)).source
    #expect(a == b)
    let (h1, c1) = try CEmitter.emitStandalone(try lossAndGradient(.f32), name: "loss")
    let (h2, c2) = try CEmitter.emitStandalone(try lossAndGradient(.f32), name: "loss")
    #expect(h1 == h2 && c1 == c2)
  }

  @Test func userNamesNeverReachTheCodeUnescaped() throws {
    let long = String(repeating: "n", count: 200)
    let names = ["int", "gc_entry", "a*/b", long, "x\ny", "??/", "/*"]
    let b = GraphBuilder()
    var total = b.constant(0, .scalar(.f64))
    for name in names { total = try b.add(total, try b.input(name, .scalar(.f64))) }
    b.label(total, "*/ int evil(void) { /*")
    b.output("*/ out", total)
    b.output(long, total)
    let source = try CEmitter.emit(b.graph).source
    #expect(!source.contains("a*/b"))
    #expect(!source.contains(long))
    #expect(!source.contains("x\ny"))
    #expect(!source.contains("??/"))
    #expect(!source.contains("evil(void) { /*"))
    // Comments open and close in pairs: every `/*` is followed by its own `*/`.
    let opens = source.components(separatedBy: "/*").count
    let closes = source.components(separatedBy: "*/").count
    #expect(opens == closes)
    let (header, c) = try CEmitter.emitStandalone(b.graph, name: "names")
    #expect(header.contains("const double* in_int"))
    #expect(header.contains("const double* in_gc_entry"))
    #expect(header.contains("const double* in2"))
    #expect(!c.contains(long) && !header.contains(long))
  }

  @Test func exportNameMustBeAnIdentifier() throws {
    let graph = try lossAndGradient(.f64)
    #expect(throws: CodegenError.invalidName("my model")) {
      try CEmitter.emitStandalone(graph, name: "my model")
    }
    #expect(
      CodegenError.invalidName("a*/b").description
        == "'a* /b' is not a valid name for C export: use letters, digits and '_', "
        + "starting with a letter or '_' (at most 48 characters)")
  }

  @Test(arguments: [
    (0.7, DType.f64, "0.7"), (0.7, .f32, "0.7f"), (1, .f64, "1.0"), (100, .f32, "100.0f"),
    (0.001, .f64, "0.001"), (1e-7, .f64, "1e-07"), (0.1 + 0.2, .f64, "0.30000000000000004"),
    (-2.5, .f64, "(-2.5)"), (0, .f32, "0.0f"), (-0.0, .f64, "(-0.0)"),
    (.nan, .f64, "GC_NAN"), (.infinity, .f32, "GC_INFF"), (-.infinity, .f64, "(-GC_INF)"),
    (Double.leastNonzeroMagnitude, .f64, "5e-324"),
    (.greatestFiniteMagnitude, .f64, "1.7976931348623157e+308"),
    (Double(Float.greatestFiniteMagnitude), .f32, "3.4028235e+38f"),
  ])
  func literalsAreExact(_ value: Double, _ dtype: DType, _ text: String) {
    #expect(CLiteral.number(value, dtype) == text)
  }

  @Test func commentsAreSanitised() {
    #expect(CLiteral.comment("a*/b") == "a* /b")
    #expect(CLiteral.comment("/*x*/") == "/ *x* /")
    #expect(CLiteral.comment("line\nbreak\\") == "line_break_")
    #expect(CLiteral.comment("??/") == "__/")
    #expect(
      CLiteral.comment(String(repeating: "z", count: 70)) == String(repeating: "z", count: 60)
        + "...")
  }

  @Test func matmulOperandsAndReshapesAlias() throws {
    let b = GraphBuilder()
    let v = try b.input("v", TensorType(.f64, [5]))
    let w = try b.input("w", TensorType(.f64, [5, 3]))
    b.output("y", try b.matmul(v, w))
    let program = try CEmitter.emit(b.graph)
    // v reshaped to [1,5] reads v's own buffer; the [1,3] product is reshaped into y.
    #expect(program.source.contains("cblas_dgemm(101, 111, 111, 1, 3, 5, 1.0, p0, 5, p1, 3,"))
    #expect(program.kernelCount == 2)
    let loops = try CEmitter.emit(b.graph, options: CodegenOptions(blas: false))
    #expect(loops.source.contains("const double a = p0[i * 5 + p];"))
  }
}

@Suite struct ArenaPlanTests {
  /// A chain of reductions: each intermediate dies once the next is computed, so the arena
  /// holds two of them at a time, not all of them.
  @Test func buffersWithDisjointLifetimesShareMemory() throws {
    let b = GraphBuilder()
    var x = try b.input("x", TensorType(.f64, [16, 16]))
    for _ in 0..<6 {
      let m = try b.reduceMax(x, axes: [1])
      x = try b.sub(x, try b.reshape(m, to: [16, 1]))
      x = try b.exp(x)
    }
    b.output("y", try b.sum(x))
    let plan = Lowering.plan(Simplify.run(b.graph), options: CodegenOptions())
    let naive = plan.buffers.reduce(0) { total, buffer in
      if case .arena = buffer.place { return total + (buffer.type.count * 8 + 63) / 64 * 64 }
      return total
    }
    #expect(plan.arenaBytes < naive)
    #expect(plan.arenaBytes <= 2 * 2048 + 2 * 128)
  }
}

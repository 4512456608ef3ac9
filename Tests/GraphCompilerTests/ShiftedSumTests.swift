import Autodiff
import Foundation
import GraphIR
import Testing

@testable import GraphCompiler

/// Sums of shifted pads (the gradient of values read through overlapping slices) are
/// scattered by the loop that computes their operands: one kernel, no second pass.
@Suite struct ShiftedSumTests {
  enum Backend: CaseIterable { case tcc, cc }

  func compile(_ graph: Graph, _ backend: Backend) throws -> CompiledGraph {
    switch backend {
    case .tcc: return try Pipeline.compile(graph)
    case .cc:
      let configuration = scratchConfiguration()
      defer { try? FileManager.default.removeItem(atPath: configuration.cacheDirectory) }
      return try Pipeline.compile(
        graph, options: CompileOptions(backend: .cc), systemCC: configuration)
    }
  }

  func check(_ graph: Graph, _ inputs: [String: Tensor], kernels: Int, _ label: String) throws {
    for backend in Backend.allCases where backend == .tcc || hasSystemCompiler {
      try expectMatchesInterpreter(graph, inputs, "\(label) \(backend)") { graph in
        let compiled = try compile(graph, backend)
        #expect(compiled.kernelCount == kernels, "\(label)\n\(compiled.source)")
        #expect(compiled.source.contains("] += "), "\(label)\n\(compiled.source)")
        return compiled
      }
    }
  }

  /// The gradient of a Rosenbrock-like chain `sum((x[s:] - x[:-s]^2)^2)` with shift `s`.
  @Test(arguments: [DType.f32, .f64], [1, 2])
  func sliceGradient(dtype: DType, shift: Int) throws {
    let n = 37
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(dtype, [n]))
    let head = try b.slice(x, start: [shift], end: [n])
    let tail = try b.slice(x, start: [0], end: [n - shift])
    let d = try b.sub(head, try b.mul(tail, tail))
    let f = try b.sum(try b.mul(d, d))
    b.output("f", f)
    b.output("df", try gradient(of: f, withRespectTo: [x], in: b)[0])
    let inputs = ["x": ramp(TensorType(dtype, [n]))]
    try check(b.graph, inputs, kernels: 1, "slice gradient \(dtype) shift \(shift)")
  }

  /// Three terms in 2-D, the one with the largest shift not first in the add.
  @Test(arguments: [DType.f32, .f64], [1, 2])
  func twoDimensional(dtype: DType, shift: Int) throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(dtype, [4, 5]))
    let u = try b.mul(x, x)
    let v = try b.add(x, b.scalar(3, like: x))
    let w = try b.mul(x, b.scalar(-2, like: x))
    let y = try b.add(
      try b.add(
        try b.pad(u, low: [0, 0], high: [shift, shift]),
        try b.pad(v, low: [shift, shift], high: [0, 0])),
      try b.pad(w, low: [shift, 0], high: [0, shift]))
    b.output("y", y)
    let inputs = ["x": ramp(TensorType(dtype, [4, 5]))]
    try check(b.graph, inputs, kernels: 1, "2-D \(dtype) shift \(shift)")
  }
}

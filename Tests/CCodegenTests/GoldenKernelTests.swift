import Foundation
import GraphIR
import GraphLanguage
import GraphTestSupport
import Testing

@testable import CCodegen

/// One golden `.c` file per kernel kind, each from a small graph whose plan holds that kind.
/// Set GC_UPDATE_GOLDEN=1 to rewrite them, then review the diffs like code.
@Suite struct GoldenKernelTests {
  struct Case: CustomStringConvertible, Sendable {
    var kind: String
    var source: String
    var options = CodegenOptions()
    var description: String { kind }
  }

  static let cases = [
    Case(
      kind: "flat",
      source: """
        input x: f64[4]
        f = sum(tanh(0.7*x + 0.3) * sigmoid(x))
        df = grad(f, x)
        output f
        output df
        """),
    Case(
      kind: "chunked-reduction",
      source: """
        input x: f32[40000]
        f = sum(x * x)
        output f
        """),
    Case(
      kind: "loop-nest",
      source: """
        input x: f64[3, 4]
        rows = sum(x * x, 1)
        top = reduce_max(exp(x), 0)
        output rows
        output top
        """),
    Case(
      kind: "scatter",
      source: """
        input x: f64[6]
        f = sum((x[1:] - x[:-1]^2)^2)
        df = grad(f, x)
        output df
        """),
    Case(
      kind: "matmul",
      source: """
        input x: f32[4, 3]
        param w: f32[3, 2]
        param b: f32[2]
        y = tanh(x @ w + b)
        output y
        """),
    Case(
      kind: "axpy",
      source: """
        input w: f32[5]
        input g: f32[5]
        input lr: f32
        next = w - lr * g
        output next
        """),
    Case(
      kind: "column-sums",
      source: """
        input x: f64[4, 3]
        input y: f64[4, 3]
        p = x * y
        s = sum(p, 0)
        output p
        output s
        """),
    Case(
      kind: "gather",
      source: """
        input table: f32[10, 4]
        input tokens: i64[2, 3]
        e = take(table, tokens)
        output e
        """),
    Case(
      kind: "scatter-add",
      source: """
        input table: f32[10, 4]
        input tokens: i32[3]
        l = sum(tanh(take(table, tokens, 0)))
        g = grad(l, table)
        output g
        """),
    Case(
      kind: "cumulative-sum",
      source: """
        input x: f64[2, 3, 4]
        input w: f32[5]
        c = cumsum(x, 1)
        last = cumsum(exp(x), -1)
        g = grad(sum(cumsum(w, 0)), w)
        output c
        output last
        output g
        """),
    Case(
      kind: "loop",
      source: """
        input h0: f64[2]
        input xs: f64[3, 2]
        param w: f64[2]
        def cell(h, x)
          h2 = tanh(h * w + x)
          return h2, sum(h2)
        end
        hT, s = scan(cell, [h0], [xs])
        g = grad(sum(s), w)
        output hT
        output g
        """),
  ]

  @Test(arguments: cases) func golden(_ c: Case) throws {
    let graph = Simplify.run(try GraphParser.parse(c.source))
    let program = try CEmitter.emit(graph, options: c.options)
    #expect(
      program.plan.kernels.contains { $0.kind.name == c.kind },
      "no \(c.kind) kernel:\n\(program.plan.text(graph))")
    let path = packageRoot() + "/Tests/CCodegenTests/Golden/\(c.kind).c"
    if ProcessInfo.processInfo.environment["GC_UPDATE_GOLDEN"] == "1" {
      try program.source.write(toFile: path, atomically: true, encoding: .utf8)
    }
    let golden = try String(contentsOfFile: path, encoding: .utf8)
    #expect(program.source == golden, "generated C differs from \(path)")
    let long = program.source.split(separator: "\n").filter { $0.count > CWriter.width }
    #expect(long.isEmpty, "lines over \(CWriter.width) columns: \(long)")
  }
}

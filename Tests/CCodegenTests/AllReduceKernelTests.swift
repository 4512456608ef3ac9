import Foundation
import GraphIR
import GraphTestSupport
import Testing

@testable import CCodegen

/// The `allreduce` kernel kind: its golden C, and the standalone export's replaceable
/// default `gc_allreduce`.
@Suite struct AllReduceKernelTests {
  /// `y = allreduce(2x)`, `total = sum(y)`: a copy and one host call between two kernels.
  static func graph() throws -> Graph {
    let b = GraphBuilder()
    let x = try b.input("x", .f32, shape: [6]).id
    let y = try b.allreduce(b.mul(x, b.scalar(2, like: x)))
    b.setOutputs([GraphOutput("y", y), GraphOutput("total", try b.sum(y, axes: [0]))])
    return Simplify.run(b.graph)
  }

  @Test func golden() throws {
    let graph = try Self.graph()
    let program = try CEmitter.emit(graph)
    let kinds = program.plan.kernels.map(\.kind.name)
    #expect(kinds.filter { $0 == "allreduce" }.count == 1, "\(kinds)")
    #expect(program.source.contains("return gc_allreduce(p"))
    let path = packageRoot() + "/Tests/CCodegenTests/Golden/allreduce.c"
    if ProcessInfo.processInfo.environment["GC_UPDATE_GOLDEN"] == "1" {
      try program.source.write(toFile: path, atomically: true, encoding: .utf8)
    }
    #expect(program.source == (try String(contentsOfFile: path, encoding: .utf8)))
  }

  /// The export builds under the strict compilers; linked alone it sums over one process
  /// (y = 2x), and an embedder's own `gc_allreduce` replaces the weak default (here one
  /// that pretends a second rank holding ones: y = 2x + 1).
  @Test(.enabled(if: hasCompilers)) func standaloneDefaultIsReplaceable() throws {
    let (header, source) = try CEmitter.emitStandalone(Self.graph(), name: "reduce")
    #expect(header.contains("int gc_allreduce(void* data, long long count, int dtype);"))
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("graphc-allreduce-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try header.write(
      to: directory.appendingPathComponent("reduce.h"), atomically: true, encoding: .utf8)
    try source.write(
      to: directory.appendingPathComponent("reduce.c"), atomically: true, encoding: .utf8)
    for compiler in strictCompilers where onPath(compiler.name) != nil {
      _ = shell([compiler.name] + compiler.flags + ["reduce.c", "-o", "reduce.o"], in: directory)
    }
    let driver = """
      #include <stdio.h>
      #include "reduce.h"
      int main(void) {
        float x[6] = {1, 2, 3, 4, 5, 6}, y[6], total;
        static char arena[GC_REDUCE_ARENA_BYTES + 1];
        int status = gc_reduce_run(x, y, &total, arena);
        printf("%d %g %g %g\\n", status, y[0], y[5], total);
        return 0;
      }

      """
    let otherRank = """
      int gc_allreduce(void* data, long long count, int dtype) {
        float* v = (float*)data;
        for (long long i = 0; i < count; i++) v[i] += 1.0f;
        return dtype;
      }

      """
    try driver.write(
      to: directory.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
    try otherRank.write(
      to: directory.appendingPathComponent("rank.c"), atomically: true, encoding: .utf8)
    _ = shell(["gcc", "-std=c99", "main.c", "reduce.c", "-o", "alone", "-lm"], in: directory)
    _ = shell(
      ["gcc", "-std=c99", "main.c", "reduce.c", "rank.c", "-o", "two", "-lm"], in: directory)
    #expect(shell(["./alone"], in: directory) == "0 2 12 42\n")
    #expect(shell(["./two"], in: directory) == "0 3 13 48\n")
  }
}

import Foundation
import GraphIR
import GraphLanguage
import GraphTestSupport
import Testing

@testable import CCodegen

/// The standalone export of a graph with index checks: it builds under gcc's strictest C99
/// flags and TinyCC, returns 0 and the interpreter's values for good indices, and for an
/// index out of range returns the documented status with the fault record, without touching
/// memory outside its buffers.
@Suite struct StandaloneIndexingTests {
  static let source = """
    input x: f64[5, 3]
    input idx: i64[2, 3]
    y = take(x, idx)
    l = sum(y * y)
    g = grad(l, x)
    k = argmax(x, 1)
    output y, g, k
    """

  @Test(.enabled(if: hasCompilers, "gcc or tcc is not installed: standalone export not built"))
  func statusAndFaultRecord() throws {
    let graph = Simplify.run(try GraphParser.parse(Self.source))
    let (header, source) = try CEmitter.emitStandalone(graph, name: "pick")
    #expect(header.contains("int gc_pick_run(const double* in_x, const long long* in_idx"))
    #expect(header.contains("#define GC_PICK_FAULT_OFFSET"))
    #expect(header.contains("1: take: an index of idx (shape [2, 3]) outside -5..4 on axis 0"))

    let x = (0..<15).map { Double($0 % 7) - 2.5 }
    let good: [Double] = [0, -1, 4, 2, 2, -5]
    let bad: [Double] = [0, -1, 4, 2, 5, -5]
    let expected = try Interpreter.run(
      graph,
      [
        "x": Tensor(.f64, shape: [5, 3], scalars: x),
        "idx": Tensor(.i64, shape: [2, 3], scalars: good),
      ])
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gc-pick-\(UUID())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try header.write(to: dir.appendingPathComponent("pick.h"), atomically: true, encoding: .utf8)
    try source.write(to: dir.appendingPathComponent("pick.c"), atomically: true, encoding: .utf8)
    func list(_ v: [Double]) -> String { v.map { "\($0)" }.joined(separator: ", ") }
    let driver = """
      #include <stdio.h>
      #include <stdlib.h>
      #include "pick.h"

      static int run(const long long* idx) {
        const double x[15] = {\(list(x))};
        double y[18], g[15];
        long long k[5];
        void* arena = malloc(GC_PICK_ARENA_BYTES);
        const long long* fault = (const long long*)((const char*)arena + GC_PICK_FAULT_OFFSET);
        int i, status = gc_pick_run(x, idx, y, g, k, arena);
        printf("status %d\\n", status);
        if (status != 0) {
          printf("fault %lld %lld\\n", fault[0], fault[1]);
        } else {
          for (i = 0; i < 18; i++) printf("%.17g\\n", y[i]);
          for (i = 0; i < 15; i++) printf("%.17g\\n", g[i]);
          for (i = 0; i < 5; i++) printf("%lld\\n", k[i]);
        }
        free(arena);
        return status;
      }

      int main(void) {
        const long long good[6] = {\(good.map { String(Int($0)) }.joined(separator: ", "))};
        const long long bad[6] = {\(bad.map { String(Int($0)) }.joined(separator: ", "))};
        run(good);
        run(bad);
        return 0;
      }

      """
    try driver.write(to: dir.appendingPathComponent("driver.c"), atomically: true, encoding: .utf8)
    let want =
      (expected["y"]?.scalars ?? []) + (expected["g"]?.scalars ?? [])
      + (expected["k"]?.scalars ?? [])
    let builds = [
      [
        "gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2",
        "-fsanitize=address,undefined", "-o", "gcc_drv", "driver.c", "pick.c", "-lm",
      ],
      ["tcc", "-o", "tcc_drv", "driver.c", "pick.c", "-lm"],
    ]
    for build in builds {
      guard shell(build, in: dir) != nil, let out = shell(["./" + build[build.count - 4]], in: dir)
      else { continue }
      let lines = out.split(separator: "\n").map(String.init)
      #expect(lines.first == "status 0", "\(build[0])")
      let got = lines.dropFirst().prefix(want.count).compactMap { Double($0) }
      #expect(got == want, "\(build[0])")
      // idx[1, 1] = 5 is out of range: status 1, value 5 at row-major position 4.
      #expect(Array(lines.suffix(2)) == ["status 1", "fault 5 4"], "\(build[0])")
    }
  }
}

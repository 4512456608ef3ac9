import Foundation
import GraphTestSupport
import Testing

/// Builds `kernels/tests/fastmath_check.c` with the system C compiler and runs it: the
/// vectorisable exp/log/tanh/sigmoid of `kernels/fastmath.h` must stay within their
/// documented ulp bounds against the C library, and be exact at the special values.
@Suite struct FastMathAccuracyTests {
  @Test func withinDocumentedUlpBounds() throws {
    let root = packageRoot()
    let source = root.appendingPathComponent("kernels/tests/fastmath_check.c").path
    let binary = FileManager.default.temporaryDirectory.appendingPathComponent(
      "gc-fastmath-check-\(getpid())"
    ).path
    defer { try? FileManager.default.removeItem(atPath: binary) }
    let build = try runProcess("/usr/bin/env", ["cc", "-O2", source, "-lm", "-o", binary])
    try #require(build.status == 0, "cc failed: \(build.output)")
    // A sparse sweep (every 1009th float, 200k doubles) keeps this under a second;
    // `fastmath_check 61 4000000` is the full run reported in the README.
    let run = try runProcess(binary, ["1009", "200000"])
    #expect(run.status == 0, "\(run.output)")
    #expect(run.output.contains("special values ok"))
    #expect(run.output.hasSuffix("PASS\n"))
  }
}

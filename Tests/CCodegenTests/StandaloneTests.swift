import Foundation
import GraphIR
import GraphTestSupport
import Testing

@testable import CCodegen

/// Runs a program and returns its standard output, or nil (with the error recorded).
func shell(_ arguments: [String], in directory: URL) -> String? {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = arguments
  process.currentDirectoryURL = directory
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  do { try process.run() } catch {
    Issue.record("could not run \(arguments): \(error)")
    return nil
  }
  let data = out.fileHandleForReading.readDataToEndOfFile()
  let errors = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    Issue.record(
      "\(arguments.joined(separator: " ")) failed:\n\(String(decoding: errors, as: UTF8.self))")
    return nil
  }
  return String(decoding: data, as: UTF8.self)
}

let hasCompilers =
  FileManager.default.isExecutableFile(atPath: "/usr/bin/gcc")
  && FileManager.default.isExecutableFile(atPath: "/usr/bin/tcc")

/// A program's first match on `PATH`, or nil.
func onPath(_ name: String) -> String? {
  let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
  for folder in path.split(separator: ":") {
    let candidate = "\(folder)/\(name)"
    if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
  }
  return nil
}

/// The compilers an export must satisfy, with the flags it promises to build under: gcc
/// and clang at their strictest C99 warnings (as errors), and TinyCC.
let strictCompilers: [(name: String, flags: [String])] = [
  ("gcc", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-c"]),
  ("clang", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-c"]),
  ("tcc", ["-c"]),
]

/// Input element `i`: exactly representable in float and double, so C and Swift agree.
func exactValue(_ i: Int, _ k: Int) -> Double { Double((i * 37 + k * 11) % 101 - 50) / 256 }

@Suite struct StandaloneTests {
  /// A 784→64→10 tanh MLP in f32, exported, built with `gcc -std=c99 -Wall -Wextra -Werror
  /// -pedantic` and with `tcc` into a driver, and compared with the interpreter.
  @Test(.enabled(if: hasCompilers, "gcc or tcc is not installed: standalone export not built"))
  func mlpBuildsWithGccAndTccAndMatchesTheInterpreter() throws {
    let b = GraphBuilder()
    let f = DType.f32
    let x = try b.input("x", TensorType(f, [2, 784]))
    let w1 = try b.param("w1", TensorType(f, [784, 64]))
    let b1 = try b.param("b1", TensorType(f, [64]))
    let w2 = try b.param("w2", TensorType(f, [64, 10]))
    let b2 = try b.param("b2", TensorType(f, [10]))
    let h = try b.tanh(try b.add(try b.matmul(x, w1), b1))
    let logits = try b.add(try b.matmul(h, w2), b2)
    b.output("logits", logits)
    b.output("total", try b.sum(logits))
    let graph = Simplify.run(b.graph)

    var inputs: [String: Tensor] = [:]
    var fill = ""
    for (k, id) in graph.arguments.enumerated() {
      let type = graph[id].type
      let name = graph[id].op.inputName ?? ""
      inputs[name] = Tensor(
        f, shape: type.shape, scalars: (0..<type.count).map { exactValue($0, k) })
      fill +=
        "  for (i = 0; i < \(type.count); i++) in\(k)[i] = (float)(((i * 37 + \(k) * 11) % 101) - 50) / 256.0f;\n"
    }
    let expected = try Interpreter.run(graph, inputs)
    let (header, source) = try CEmitter.emitStandalone(graph, name: "mlp")
    #expect(header.contains("int gc_mlp_run(const float* in_x, const float* in_w1"))

    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "gc-standalone-\(UUID())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try header.write(to: dir.appendingPathComponent("mlp.h"), atomically: true, encoding: .utf8)
    try source.write(to: dir.appendingPathComponent("mlp.c"), atomically: true, encoding: .utf8)
    let sizes = graph.arguments.map { graph[$0].type.count }
    let driver = """
      #include <stdio.h>
      #include <stdlib.h>
      #include "mlp.h"

      int main(void) {
        long i;
      \(sizes.enumerated().map { "  float* in\($0.offset) = malloc(\(max($0.element, 1)) * sizeof(float));" }.joined(separator: "\n"))
        float logits[20];
        float total;
        void* arena = malloc(GC_MLP_ARENA_BYTES + 1);
      \(fill)  gc_mlp_run(in0, in1, in2, in3, in4, logits, &total, arena);
        for (i = 0; i < 20; i++) printf("%.9g\\n", logits[i]);
        printf("%.9g\\n", total);
        return 0;
      }

      """
    try driver.write(to: dir.appendingPathComponent("driver.c"), atomically: true, encoding: .utf8)
    let want = (expected["logits"]?.scalars ?? []) + (expected["total"]?.scalars ?? [])
    let builds = [
      [
        "gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-o", "gcc_drv",
        "driver.c", "mlp.c", "-lm",
      ],
      ["tcc", "-o", "tcc_drv", "driver.c", "mlp.c", "-lm"],
    ]
    for build in builds {
      guard shell(build, in: dir) != nil, let out = shell(["./" + build[build.count - 4]], in: dir)
      else { continue }
      let got = out.split(separator: "\n").compactMap { Double($0) }
      #expect(got.count == want.count, "\(build[0])")
      for (g, e) in zip(got, want) {
        #expect(Swift.abs(g - e) <= 1e-5 * Swift.max(1, Swift.abs(e)), "\(build[0]): \(g) vs \(e)")
      }
    }
  }

  /// The prelude and a program with every op compile cleanly on their own under gcc's
  /// strictest C99 flags.
  @Test(.enabled(if: hasCompilers, "gcc is not installed"))
  func everyOpCompilesUnderStrictGcc() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f32, [3, 4]))
    let y = try b.input("y", TensorType(.f64, [4]))
    let yx = try b.cast(y, to: .f32)
    var outs: [NodeID] = []
    for op in [Op.exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs, .neg] {
      outs.append(try b.apply(op, [x]))
    }
    outs.append(try b.pow(x, yx))
    outs.append(try b.maximum(x, yx))
    outs.append(try b.minimum(x, yx))
    outs.append(try b.select(try b.less(x, yx), try b.greaterEqual(x, yx), try b.equal(x, yx)))
    outs.append(
      try b.pad(try b.concat([x, try b.notEqual(x, yx)], axis: 0), low: [1, 1], high: [0, 1]))
    outs.append(try b.reduceMax(try b.slice(x, start: [0, 1], end: [2, 3]), axes: [0]))
    outs.append(try b.matmul(try b.transpose(x), x))
    let empty = try b.input("empty", TensorType(.f64, [0, 3]))
    outs.append(try b.add(try b.transpose(empty), try b.input("col", TensorType(.f64, [3, 1]))))
    outs.append(try b.sum(try b.exp(empty), axes: [0]))
    for (k, o) in outs.enumerated() { b.output("o\(k)", o) }
    let (header, source) = try CEmitter.emitStandalone(b.graph, name: "ops")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gc-ops-\(UUID())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try header.write(to: dir.appendingPathComponent("ops.h"), atomically: true, encoding: .utf8)
    try source.write(to: dir.appendingPathComponent("ops.c"), atomically: true, encoding: .utf8)
    try Prelude.text.write(
      to: dir.appendingPathComponent("prelude.c"), atomically: true, encoding: .utf8)
    let strict = ["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-c"]
    _ = shell(strict + ["ops.c"], in: dir)
    _ = shell(strict + ["prelude.c"], in: dir)
    _ = shell(["tcc", "-c", "ops.c"], in: dir)
  }

  /// Every graph of `exportCorpus()` (every op, empty shapes, chunked and parallel kernels,
  /// matrix products of every layout) exports a pair that gcc and clang build without a
  /// single warning under `-std=c99 -Wall -Wextra -Werror -pedantic`, and TinyCC builds too.
  /// A compiler that is not installed is skipped (gcc and tcc are required, see
  /// `hasCompilers`).
  @Test(.enabled(if: hasCompilers, "gcc or tcc is not installed: standalone export not built"))
  func exportsBuildWithoutWarnings() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "gc-export-corpus-\(UUID())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var files: [String] = []
    for c in exportCorpus() {
      let (header, source) = try CEmitter.emitStandalone(c.graph, name: c.name)
      try header.write(
        to: dir.appendingPathComponent("\(c.name).h"), atomically: true, encoding: .utf8)
      try source.write(
        to: dir.appendingPathComponent("\(c.name).c"), atomically: true, encoding: .utf8)
      files.append(dir.appendingPathComponent("\(c.name).c").path)
    }
    for compiler in strictCompilers {
      guard let path = onPath(compiler.name) else { continue }
      // One run per file, so a failure names its graph.
      for file in files {
        let result = try runProcess(path, compiler.flags + [file, "-o", file + ".o"])
        #expect(
          result.status == 0 && result.output.isEmpty,
          "\(compiler.name) \(file):\n\(result.output)")
      }
    }
  }
}

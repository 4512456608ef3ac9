import Foundation
import GraphTestSupport

/// The hand-written C of `kernels/reference/`, built with the system compiler at full
/// optimisation into a shared object and loaded into this process, so graphc and the
/// reference run in the same process on the same data, one after the other.
final class ReferenceKernels {
  typealias W3 = @convention(c) (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>) -> Double
  typealias W2 = @convention(c) (UnsafePointer<Double>, Int, UnsafeMutablePointer<Double>) -> Double
  typealias W1 =
    @convention(c) (
      UnsafeMutableRawPointer, UnsafePointer<Float>, UnsafePointer<Float>, Int32, Float
    )
    -> Float
  typealias W5 =
    @convention(c) (
      UnsafeMutableRawPointer, UnsafePointer<Float>, UnsafePointer<Float>, Int32, Float, Int32
    )
    -> Float
  typealias W6Create =
    @convention(c) (Int32, Int32, Int32, Int32, UnsafePointer<UnsafePointer<Float>>)
    -> OpaquePointer
  typealias W6Step =
    @convention(c) (OpaquePointer, UnsafePointer<Float>, UnsafePointer<Int32>, Float, Int32)
    -> Float
  typealias W7 =
    @convention(c) (
      UnsafePointer<Int32>, UnsafePointer<UnsafeMutablePointer<Float>>,
      UnsafePointer<UnsafeMutablePointer<Float>>, UnsafePointer<UnsafeMutablePointer<Float>>,
      UnsafePointer<Int64>, UnsafePointer<Int64>, Float, Int32
    ) -> Float
  typealias W9 =
    @convention(c) (
      UnsafePointer<Double>, Int32, Double, Double, UnsafePointer<Double>, UnsafePointer<Double>,
      UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>
    ) -> Double
  typealias W8 =
    @convention(c) (
      Int32, Int32, Int32, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>,
      UnsafePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>
    ) -> Double
  typealias W8WorkSize = @convention(c) (Int32, Int32, Int32) -> Int

  let compiler: String
  let w3libm: W3
  let w3vexp: W3
  let w2: W2
  let w1: W1
  let w5: W5
  let w6Create: W6Create
  let w6Step: W6Step
  let w7: W7
  let w9: W9
  let w8: W8
  let w8WorkSize: W8WorkSize
  private let handle: UnsafeMutableRawPointer

  /// Builds and loads the reference kernels; `compiler` is `$CC`, else clang, else cc.
  init() throws {
    compiler = ProcessInfo.processInfo.environment["CC"] ?? (Self.which("clang") ?? "cc")
    let root = packageRoot().appendingPathComponent("kernels/reference").path
    let library = FileManager.default.temporaryDirectory.appendingPathComponent(
      "gc-reference-\(getpid()).so"
    ).path
    let sources = [
      "w1_mlp.c", "w2_rosenbrock.c", "w3_tanh_sigmoid.c", "w5_fashion_adam.c", "w6_cnn.c",
      "w7_transformer.c", "w8_lstm.c", "w9_rk4.c",
    ].map {
      "\(root)/\($0)"
    }
    let flags = ["-O3", "-march=native", "-fopenmp-simd", "-shared", "-fPIC", "-o", library]
    let build = try runProcess(
      "/usr/bin/env", [compiler] + flags + sources + ["-lopenblas", "-lm"])
    guard build.status == 0 else {
      throw BenchmarkError("building the reference kernels failed:\n\(build.output)")
    }
    guard let handle = dlopen(library, RTLD_NOW) else {
      throw BenchmarkError("dlopen \(library) failed")
    }
    self.handle = handle
    func symbol<T>(_ name: String, _: T.Type) throws -> T {
      guard let p = dlsym(handle, name) else { throw BenchmarkError("missing symbol \(name)") }
      return unsafeBitCast(p, to: T.self)
    }
    w3libm = try symbol("ref_w3_libm", W3.self)
    w3vexp = try symbol("ref_w3_vexp", W3.self)
    w2 = try symbol("ref_w2", W2.self)
    w1 = try symbol("ref_w1_step", W1.self)
    w5 = try symbol("ref_w5_step", W5.self)
    w6Create = try symbol("ref_w6_create", W6Create.self)
    w6Step = try symbol("ref_w6_step", W6Step.self)
    w7 = try symbol("ref_w7_step", W7.self)
    w9 = try symbol("ref_w9", W9.self)
    w8 = try symbol("ref_w8_lstm", W8.self)
    w8WorkSize = try symbol("ref_w8_work_size", W8WorkSize.self)
    // One BLAS thread, as graphc's own calls use (see `NativeSymbols` in GraphCompiler):
    // otherwise a reference timed before graphc's first compile would run on all cores,
    // and a workload run alone (`--only`) would compare unlike things.
    if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil {
      typealias SetThreads = @convention(c) (Int32) -> Void
      try symbol("openblas_set_num_threads", SetThreads.self)(1)
    }
    try? FileManager.default.removeItem(atPath: library)
  }

  /// The compiler's version line, for the report.
  var compilerVersion: String {
    (try? runProcess("/usr/bin/env", [compiler, "--version"]).output.split(separator: "\n").first
      .map(String.init))
      .flatMap { $0 } ?? compiler
  }

  static func which(_ tool: String) -> String? {
    guard let result = try? runProcess("/usr/bin/env", ["which", tool]), result.status == 0 else {
      return nil
    }
    return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}

struct BenchmarkError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

import CCodegen
import Foundation
import Synchronization

/// Machine code built by the system C compiler: a shared library, opened with `dlopen`.
final class SharedLibraryModule: LoadedCode, @unchecked Sendable {
  let entry: EntryFunction
  private let handle: UnsafeMutableRawPointer

  fileprivate init(entry: EntryFunction, handle: UnsafeMutableRawPointer) {
    self.entry = entry
    self.handle = handle
  }

  deinit { dlclose(handle) }
}

/// The optimising backend: the generated C, with `kernels/fastmath.h` in front (inline,
/// vectorisable exp/log/tanh), built by the system C compiler into a shared library that
/// is cached on disk and loaded with `dlopen`.
///
/// The compiler is `$CC` if set, else `clang` if on `PATH` (it vectorises the inline exp
/// about 4x better than gcc), else `cc`. Flags: `-O3 -march=native -fopenmp-simd -shared
/// -fPIC`, never `-ffast-math` (it would break the rounding trick of fastmath.h and NaN
/// checks); the library links OpenBLAS and libm.
///
/// The cache lives in `$GRAPHC_CACHE_DIR`, else `$XDG_CACHE_HOME/graphc`, else
/// `~/.cache/graphc`. An entry is named by a 128-bit hash of the C text, the compiler's
/// path and `--version` text, the CPU model and the flags. It is written to a temporary
/// file and renamed into place, so concurrent processes never see half a library; an entry
/// that does not load (or lacks the entry point) is rebuilt.
enum SystemCC {
  /// Where the compiler and the cache are; by default from the environment.
  struct Configuration: Sendable {
    /// The compiler command (a path or a name looked up on `PATH`).
    var compiler: String
    /// The cache folder.
    var cacheDirectory: String

    /// The configuration the environment asks for (see `SystemCC`).
    static func fromEnvironment(_ environment: [String: String]) -> Configuration {
      let path = environment["PATH"] ?? "/usr/bin:/bin"
      let compiler: String
      if let cc = environment["CC"], !cc.isEmpty {
        compiler = cc
      } else if let clang = findOnPath("clang", path) {
        compiler = clang
      } else {
        compiler = "cc"
      }
      let cache: String
      if let dir = environment["GRAPHC_CACHE_DIR"], !dir.isEmpty {
        cache = dir
      } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
        cache = xdg + "/graphc"
      } else {
        cache = (environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache/graphc"
      }
      return Configuration(compiler: resolve(compiler, path), cacheDirectory: cache)
    }

    static var current: Configuration {
      fromEnvironment(ProcessInfo.processInfo.environment)
    }
  }

  /// The flags every library is built with (before output and input names).
  static let flags = ["-O3", "-march=native", "-fopenmp-simd", "-shared", "-fPIC"]
  /// Libraries linked after the source.
  static let libraries = ["-lopenblas", "-lm"]

  /// Counts, for tests and curious users: compiler runs and cache entries reused.
  struct Statistics: Sendable, Equatable {
    var compilerRuns = 0
    var cacheHits = 0
    var rebuiltEntries = 0
  }

  private static let state = Mutex(Statistics())
  private static let versions = Mutex([String: String]())

  static var statistics: Statistics { state.withLock { $0 } }

  /// The C text the compiler sees: the fast-math functions, then the program.
  static func fullSource(_ source: String) -> String { FastMath.preamble + source }

  /// Builds (or finds in the cache) the library for `source` and returns its `entry`.
  /// Throws `CompileError.backend` when the compiler is missing or fails, or the cache
  /// folder cannot be written.
  static func compile(_ source: String, entry: String, _ configuration: Configuration) throws
    -> SharedLibraryModule
  {
    let text = fullSource(source)
    let compiler = configuration.compiler
    let version = try compilerVersion(compiler)
    let key = StableHash.hex(
      [text, compiler, version, cpuModel, (flags + libraries).joined(separator: " ")])
    let directory = configuration.cacheDirectory
    let library = "\(directory)/\(key).so"
    if FileManager.default.fileExists(atPath: library) {
      if let module = load(library, entry) {
        state.withLock { $0.cacheHits += 1 }
        return module
      }
      // A corrupt or truncated entry: build it again.
      state.withLock { $0.rebuiltEntries += 1 }
      try? FileManager.default.removeItem(atPath: library)
    }
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw CompileError.backend("cannot create the cache folder \(directory)")
    }
    let unique = "\(key).\(getpid()).\(UInt64.random(in: 0...UInt64.max))"
    let cFile = "\(directory)/\(unique).c"
    let temporary = "\(directory)/\(unique).so.tmp"
    defer {
      try? FileManager.default.removeItem(atPath: cFile)
      try? FileManager.default.removeItem(atPath: temporary)
    }
    guard FileManager.default.createFile(atPath: cFile, contents: Data(text.utf8)) else {
      throw CompileError.backend("cannot write to the cache folder \(directory)")
    }
    state.withLock { $0.compilerRuns += 1 }
    let (status, output) = try run(compiler, flags + ["-o", temporary, cFile] + libraries)
    guard status == 0 else {
      throw CompileError.backend("\(compiler) failed (exit \(status)): \(output.prefix(2000))")
    }
    guard rename(temporary, library) == 0 else {
      throw CompileError.backend("cannot move the library into the cache folder \(directory)")
    }
    guard let module = load(library, entry) else {
      throw CompileError.backend("the library built by \(compiler) does not load")
    }
    return module
  }

  /// Opens a library and finds its entry point; nil if either fails.
  private static func load(_ path: String, _ entry: String) -> SharedLibraryModule? {
    guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { return nil }
    guard let symbol = dlsym(handle, entry) else {
      dlclose(handle)
      return nil
    }
    return SharedLibraryModule(entry: unsafeBitCast(symbol, to: EntryFunction.self), handle: handle)
  }

  /// The compiler's `--version` output (asked once per compiler per process).
  private static func compilerVersion(_ compiler: String) throws -> String {
    if let known = versions.withLock({ $0[compiler] }) { return known }
    let (status, output) = try run(compiler, ["--version"])
    guard status == 0 else { throw CompileError.backend("\(compiler) --version failed") }
    versions.withLock { $0[compiler] = output }
    return output
  }

  /// The CPU model (part of the cache key because of `-march=native`).
  private static let cpuModel: String = {
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model = info.split(separator: "\n").first { $0.hasPrefix("model name") }
    let features = info.split(separator: "\n").first { $0.hasPrefix("flags") }
    return "\(model ?? "") \(features ?? "")"
  }()

  /// Runs a program; returns its exit status and its output (stdout and stderr).
  private static func run(_ program: String, _ arguments: [String]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do {
      try process.run()
    } catch {
      throw CompileError.backend("cannot run the C compiler '\(program)'")
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  /// `name` itself if it contains a slash, else its first executable match on `path`
  /// (or `name` unchanged, which then fails to run).
  private static func resolve(_ name: String, _ path: String) -> String {
    if name.contains("/") { return name }
    return findOnPath(name, path) ?? name
  }

  private static func findOnPath(_ name: String, _ path: String) -> String? {
    for folder in path.split(separator: ":") {
      let candidate = "\(folder)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }
}

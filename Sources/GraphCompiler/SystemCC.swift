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
/// The compiler is `$CC` if set, else `clang` if on `PATH` (it vectorises the inline exp about 4x
/// better than gcc), else `cc`. Flags: `-O3 -march=native -fopenmp-simd -shared -fPIC` (and
/// `-ffp-contract=off` for gcc, see `flags(for:)`), never `-ffast-math` (it would break the
/// rounding trick of fastmath.h and NaN checks); the library links OpenBLAS and libm.
///
/// The cache lives in `$GRAPHC_CACHE_DIR`, else `$XDG_CACHE_HOME/graphc`, else
/// `~/.cache/graphc`. An entry, `<key>.so`, is named by a 128-bit hash (the key) of the
/// entry format, the C text, the compiler's path and `--version` text, the CPU model and
/// the flags.
///
/// Nothing found in the cache is trusted. An entry must prove it is the right one before
/// its code runs, twice:
/// 1. Before loading: the file must be a regular file, read whole with a size limit, whose
///    trailer names this key and whose hash matches every byte (`CacheEntry`). Only then
///    are its library bytes written to a new file (created with `O_EXCL`) in a scratch
///    folder this process just made with `mkdtemp` (mode 0700, inside the cache folder),
///    and that file is what `dlopen` loads. The loaded bytes are therefore exactly the
///    verified ones: nothing can change them between the check and the load, as the cache
///    path itself could be changed by anyone who can write the cache folder. Bytes that
///    failed the check never reach the dynamic loader, whose own checks of a damaged file
///    may abort the process.
/// 2. After loading, before the first call: the library's `gc_fingerprint` string (the C
///    program defines it, holding the key) must be the key, which catches a valid entry
///    relabelled with another key.
///
/// Anything else at the path (a folder, a symbolic link, a FIFO, a device, a damaged or
/// foreign file) is left exactly where it is, never opened unless it is a regular file,
/// never deleted; the graph is built in the scratch folder and loaded from there, with one
/// warning naming the path. A new entry is published only where nothing was, durably and
/// atomically (`CacheEntry.publish`).
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

  /// `flags` for the compiler whose `--version` says `version`. The generated C asks clang
  /// not to fuse `a*b + c` in kernels (`#pragma STDC FP_CONTRACT OFF`, after fastmath.h, whose
  /// polynomials keep their fused multiply-adds); GCC ignores that pragma, so it gets
  /// `-ffp-contract=off` for the whole file.
  static func flags(for version: String) -> [String] {
    version.contains("clang") ? flags : flags + ["-ffp-contract=off"]
  }
  /// Libraries linked after the source.
  static let libraries = ["-lopenblas", "-lm"]

  /// Counts, for tests and curious users: compiler runs, cache entries reused, and paths
  /// whose contents could not be used as their entry (left in place, built privately).
  struct Statistics: Sendable, Equatable {
    var compilerRuns = 0
    var cacheHits = 0
    var bypassedEntries = 0
  }

  private static let state = Mutex(Statistics())
  private static let versions = Mutex([String: String]())

  static var statistics: Statistics { state.withLock { $0 } }

  /// The C text the compiler sees: the fast-math functions, then the program, then (when it
  /// sums over ranks) a `gc_allreduce` that calls the host through `gc_allreduce_host`, a
  /// pointer `load` sets (the executable exports no symbols for the library to bind to).
  static func fullSource(_ source: String) -> String {
    guard source.contains("gc_allreduce(") else { return FastMath.preamble + source }
    return FastMath.preamble + source + allreduceForwarder
  }

  static let allreduceForwarder = """

    int (*gc_allreduce_host)(void* data, long long count, int dtype) = 0;
    int gc_allreduce(void* data, long long count, int dtype) {
      return gc_allreduce_host ? gc_allreduce_host(data, count, dtype) : 0;
    }

    """

  /// Builds (or finds in the cache) the library for `source` and returns its `entry`, with
  /// the warnings to show (about a cache path that held something unusable, or an entry
  /// that could not be saved). Throws `CompileError.backend` when the compiler is missing
  /// or fails, or the cache folder cannot be written.
  static func compile(_ source: String, entry: String, _ configuration: Configuration) throws
    -> (module: SharedLibraryModule, warnings: [String])
  {
    let text = fullSource(source)
    let compiler = configuration.compiler
    let version = try compilerVersion(compiler)
    let key = StableHash.hex([
      CacheEntry.format, text, compiler, version, cpuModel,
      (flags(for: version) + libraries).joined(separator: " "),
    ])
    let directory = configuration.cacheDirectory
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw CompileError.backend("cannot create the cache folder \(directory)")
    }
    let scratch = try ScratchFolder(in: directory)
    defer { scratch.remove() }
    let path = "\(directory)/\(key).so"
    do {
      if let module = try loadEntry(at: path, key: key, entry: entry, scratch) {
        state.withLock { $0.cacheHits += 1 }
        return (module, [])
      }
    } catch let problem as CacheEntryProblem {
      // Something unusable is at the path: build privately and leave it as it is.
      state.withLock { $0.bypassedEntries += 1 }
      let module = try build(
        text, key: key, entry: entry, compiler, flags: flags(for: version), scratch)
      let warning =
        "the cache entry \(path) \(problem); it was left in place and this graph was built "
        + "privately (move it away to let graphc cache this graph again)"
      return (module, [warning])
    }
    let module = try build(
      text, key: key, entry: entry, compiler, flags: flags(for: version), scratch)
    guard let library = FileManager.default.contents(atPath: scratch.library) else {
      throw CompileError.backend("the library built by \(compiler) cannot be read back")
    }
    do {
      try CacheEntry(key: key, library: [UInt8](library)).publish(at: path, via: scratch)
    } catch {
      guard case .backend(let message) = error else { throw error }
      return (module, ["\(message); this graph will be built again next time"])
    }
    return (module, [])
  }

  /// Loads the entry at `path` through a verified copy in `scratch` (see `SystemCC`); nil
  /// when there is none. Throws the `CacheEntryProblem` when the path holds anything but
  /// this program's intact entry, `CompileError.backend` when a verified library does not
  /// load.
  private static func loadEntry(
    at path: String, key: String, entry: String, _ scratch: ScratchFolder
  ) throws -> SharedLibraryModule? {
    guard let found = try CacheEntry.find(at: path) else { return nil }
    guard found.key == key else { throw CacheEntryProblem.otherProgram(key: found.key) }
    try scratch.createFile(scratch.library, bytes: found.library, mode: 0o600, durably: false)
    return try load(scratch.library, entry, fingerprint: key)
  }

  /// Builds the program `text`, with its fingerprint `key` appended, into `scratch` and
  /// loads it from there.
  private static func build(
    _ text: String, key: String, entry: String, _ compiler: String, flags: [String],
    _ scratch: ScratchFolder
  ) throws -> SharedLibraryModule {
    let program = text + "\nconst char gc_fingerprint[] = \"\(key)\";\n"
    guard FileManager.default.createFile(atPath: scratch.source, contents: Data(program.utf8))
    else { throw CompileError.backend("cannot write to the cache folder \(scratch.path)") }
    state.withLock { $0.compilerRuns += 1 }
    let (status, output) = try run(
      compiler, flags + ["-o", scratch.library, scratch.source] + libraries)
    guard status == 0 else {
      throw CompileError.backend("\(compiler) failed (exit \(status)): \(output.prefix(2000))")
    }
    do {
      return try load(scratch.library, entry, fingerprint: key)
    } catch is CacheEntryProblem {
      throw CompileError.backend("the library built by \(compiler) lacks its fingerprint")
    }
  }

  /// Opens the library at `path` (a file of this process's scratch folder), checks that
  /// its `gc_fingerprint` is `fingerprint` before anything in it is called, and finds its
  /// `entry`. Throws `CacheEntryProblem.wrongFingerprint` for another program's library,
  /// `CompileError.backend` when it does not load or lacks the entry point.
  private static func load(_ path: String, _ entry: String, fingerprint: String) throws
    -> SharedLibraryModule
  {
    guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
      var message = "the library does not load"
      if let reason = dlerror() { message += ": " + String(cString: reason) }
      throw CompileError.backend(message)
    }
    guard hasFingerprint(handle, fingerprint) else {
      dlclose(handle)
      throw CacheEntryProblem.wrongFingerprint
    }
    guard let symbol = dlsym(handle, entry) else {
      dlclose(handle)
      throw CompileError.backend("the library lacks its entry point \(entry)")
    }
    if let slot = dlsym(handle, "gc_allreduce_host") {
      slot.storeBytes(of: RankSums.hostAddress, as: UInt.self)
    }
    return SharedLibraryModule(entry: unsafeBitCast(symbol, to: EntryFunction.self), handle: handle)
  }

  /// True when the library defines `gc_fingerprint` as the C string `key`. Compares byte by
  /// byte and stops at the first difference, so it reads past a shorter string only as far
  /// as that string agrees with the key.
  private static func hasFingerprint(_ handle: UnsafeMutableRawPointer, _ key: String) -> Bool {
    guard let symbol = dlsym(handle, "gc_fingerprint") else { return false }
    let stored = symbol.assumingMemoryBound(to: UInt8.self)
    for (i, byte) in (Array(key.utf8) + [0]).enumerated() where stored[i] != byte {
      return false
    }
    return true
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

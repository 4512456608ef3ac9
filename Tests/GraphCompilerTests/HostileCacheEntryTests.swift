import Foundation
import GraphIR
import GraphTestSupport
import Synchronization
import Testing

@testable import GraphCompiler

/// `y = 2 log(x + 4)` over `count` values: the graph whose cache entry the tests tamper with.
func entryVictim(count: Int = 5) throws -> (Graph, [String: Tensor]) {
  let b = GraphBuilder()
  let x = try b.input("x", TensorType(.f64, [count]))
  let y = try b.mul(try b.log(try b.add(x, b.scalar(4, like: x))), b.scalar(2, like: x))
  b.output("y", y)
  return (b.graph, ["x": ramp(TensorType(.f64, [count]))])
}

/// Compiles `graph` on cc into a fresh cache folder and returns the path of its entry (the
/// folder's only file).
func buildEntry(_ graph: Graph, _ configuration: SystemCC.Configuration) throws -> String {
  _ = try Pipeline.compile(graph, options: CompileOptions(backend: .cc), systemCC: configuration)
  let files = try FileManager.default.contentsOfDirectory(atPath: configuration.cacheDirectory)
  #expect(files.count == 1, "one entry, no temporary files: \(files)")
  return configuration.cacheDirectory + "/" + (try #require(files.first))
}

/// Compiles `graph` on cc, with `path` holding something that is not its entry: the results
/// must match the interpreter, the code must be cc's, and one warning must name `path` and
/// `problem`.
func expectBypassed(
  _ graph: Graph, _ inputs: [String: Tensor], _ configuration: SystemCC.Configuration,
  path: String, problem: String, _ label: String
) throws {
  let before = SystemCC.statistics
  try expectMatchesInterpreter(graph, inputs, label) { graph in
    let compiled = try Pipeline.compile(
      graph, options: CompileOptions(backend: .cc), systemCC: configuration)
    #expect(compiled.activeBackend == .cc, "\(label)")
    #expect(compiled.warnings.count == 1, "\(label): \(compiled.warnings)")
    let warning = compiled.warnings.first ?? ""
    #expect(warning.contains(path) && warning.contains(problem), "\(label): \(warning)")
    return compiled
  }
  #expect(SystemCC.statistics.bypassedEntries >= before.bypassedEntries + 1, "\(label)")
}

/// The raw bytes at `path`.
func bytes(_ path: String) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func write(_ bytes: [UInt8], _ path: String) throws {
  try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// What a corrupt, foreign or unexpected thing at a cache entry's path does: nothing. It is
/// never loaded (no wrong answer, no crash, no hang), never deleted, and the graph runs on
/// cc code built privately, with one warning.
@Suite(.enabled(if: hasSystemCompiler, "no C compiler on PATH"))
struct HostileCacheEntryTests {
  /// This graph's entry in `configuration`'s cache (its path), and the bytes of another
  /// graph's entry (over 4096 values instead of 5) built in `other`.
  private func entryAndForeignEntry(
    _ configuration: SystemCC.Configuration, _ other: SystemCC.Configuration
  ) throws -> (graph: Graph, inputs: [String: Tensor], path: String, foreign: [UInt8]) {
    let (graph, inputs) = try entryVictim()
    let path = try buildEntry(graph, configuration)
    let foreign = try bytes(try buildEntry(try entryVictim(count: 4096).0, other))
    return (graph, inputs, path, foreign)
  }

  private func removeCaches(_ configurations: SystemCC.Configuration...) {
    for c in configurations { try? FileManager.default.removeItem(atPath: c.cacheDirectory) }
  }

  /// Another graph's valid entry (over 4096 values instead of 5) copied over this graph's:
  /// loading it would write far past the 5-value output.
  @Test func anotherGraphsEntryIsNotLoaded() throws {
    let (configuration, other) = (scratchConfiguration(), scratchConfiguration())
    defer { removeCaches(configuration, other) }
    let (graph, inputs, path, foreign) = try entryAndForeignEntry(configuration, other)
    try write(foreign, path)
    try expectBypassed(
      graph, inputs, configuration, path: path, problem: "another program", "copied entry")
    #expect(try bytes(path) == foreign, "left in place")
  }

  /// Another graph's library re-labelled as this graph's entry (a valid checksum for this
  /// key): only the program's own fingerprint, checked after loading, can tell.
  @Test func relabelledEntryFailsTheFingerprint() throws {
    let (configuration, other) = (scratchConfiguration(), scratchConfiguration())
    defer { removeCaches(configuration, other) }
    let (graph, inputs, path, foreign) = try entryAndForeignEntry(configuration, other)
    let key = try CacheEntry(decoding: try bytes(path)).key
    let library = try CacheEntry(decoding: foreign).library
    let forged = CacheEntry(key: key, library: library).encoded
    try write(forged, path)
    try expectBypassed(
      graph, inputs, configuration, path: path, problem: "fingerprint", "relabelled entry")
    #expect(try bytes(path) == forged, "left in place")
  }

  /// A folder at the entry's path, holding a user's file: both survive.
  @Test func directoryIsLeftAlone() throws {
    let configuration = scratchConfiguration()
    defer { try? FileManager.default.removeItem(atPath: configuration.cacheDirectory) }
    let (graph, inputs) = try entryVictim()
    let path = try buildEntry(graph, configuration)
    try FileManager.default.removeItem(atPath: path)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    let precious = path + "/thesis.txt"
    try write(Array("chapter one".utf8), precious)
    try expectBypassed(
      graph, inputs, configuration, path: path, problem: "is a directory", "directory")
    #expect(try bytes(precious) == Array("chapter one".utf8))
  }

  /// An entry cut short, as a power cut after an unsynced rename could leave it, at sizes
  /// from empty to one byte short.
  @Test func truncatedEntriesAreNotLoaded() throws {
    let configuration = scratchConfiguration()
    defer { try? FileManager.default.removeItem(atPath: configuration.cacheDirectory) }
    let (graph, inputs) = try entryVictim()
    let path = try buildEntry(graph, configuration)
    let whole = try bytes(path)
    for size in [0, 1, 64, 512, 1024, 4096, 8192, whole.count / 2, whole.count - 1] {
      try write(Array(whole.prefix(size)), path)
      try expectBypassed(
        graph, inputs, configuration, path: path, problem: "not a complete graphc cache entry",
        "truncated to \(size) of \(whole.count) bytes")
      #expect(try bytes(path).count == size, "left in place")
    }
  }

  /// 200 bytes of the library flipped (at fixed, spread-out offsets), then one byte of the
  /// checksum itself.
  @Test func flippedBytesAreNotLoaded() throws {
    let configuration = scratchConfiguration()
    defer { try? FileManager.default.removeItem(atPath: configuration.cacheDirectory) }
    let (graph, inputs) = try entryVictim()
    let path = try buildEntry(graph, configuration)
    let whole = try bytes(path)
    var damaged = whole
    let library = whole.count - CacheEntry.trailerSize
    for k in 0..<200 { damaged[(k * 7919) % library] ^= 0xff }
    try write(damaged, path)
    try expectBypassed(graph, inputs, configuration, path: path, problem: "corrupt", "flipped")
    #expect(try bytes(path) == damaged, "left in place")

    var badSum = whole
    badSum[whole.count - 2] ^= 0x01
    try write(badSum, path)
    try expectBypassed(graph, inputs, configuration, path: path, problem: "corrupt", "checksum")
  }

  /// A FIFO at the entry's path: opening it to read would wait for a writer forever. The
  /// compile runs on another thread, and must finish within a generous bound.
  @Test func fifoDoesNotBlock() throws {
    let configuration = scratchConfiguration()
    defer { try? FileManager.default.removeItem(atPath: configuration.cacheDirectory) }
    let (graph, inputs) = try entryVictim()
    let path = try buildEntry(graph, configuration)
    try FileManager.default.removeItem(atPath: path)
    #expect(mkfifo(path, 0o600) == 0)
    let finished = DispatchSemaphore(value: 0)
    let outcome = Mutex<Result<CompiledGraph, any Error>?>(nil)
    DispatchQueue.global().async {
      let result = Result {
        try Pipeline.compile(graph, options: CompileOptions(backend: .cc), systemCC: configuration)
      }
      outcome.withLock { $0 = result }
      finished.signal()
    }
    guard finished.wait(timeout: .now() + 120) == .success else {
      Issue.record("compiling with a FIFO at the entry's path did not finish in 120 s")
      return
    }
    let compiled = try #require(try outcome.withLock { $0 }?.get())
    #expect(compiled.warnings.count == 1 && compiled.warnings[0].contains("is a FIFO"))
    try expectMatchesInterpreter(graph, inputs, "fifo") { _ in compiled }
    var status = stat()
    #expect(lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO, "left in place")
  }

  /// A symbolic link at the entry's path, to a valid entry of another graph: not followed.
  @Test func symbolicLinkIsNotFollowed() throws {
    let configuration = scratchConfiguration()
    let other = scratchConfiguration()
    defer {
      try? FileManager.default.removeItem(atPath: configuration.cacheDirectory)
      try? FileManager.default.removeItem(atPath: other.cacheDirectory)
    }
    let (graph, inputs) = try entryVictim()
    let path = try buildEntry(graph, configuration)
    let target = try buildEntry(try entryVictim(count: 4096).0, other)
    try FileManager.default.removeItem(atPath: path)
    try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    try expectBypassed(
      graph, inputs, configuration, path: path, problem: "is a symbolic link", "symlink")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == target)
  }

  /// A character device (a copy of /dev/null) at the entry's path; creating one needs
  /// privileges, so without them there is nothing to test.
  @Test func deviceIsNotOpened() throws {
    let configuration = scratchConfiguration()
    defer { try? FileManager.default.removeItem(atPath: configuration.cacheDirectory) }
    let (graph, inputs) = try entryVictim()
    let path = try buildEntry(graph, configuration)
    try FileManager.default.removeItem(atPath: path)
    let devNull = dev_t((1 << 8) | 3)  // major 1, minor 3 (Linux's encoding for small numbers)
    guard mknod(path, S_IFCHR | 0o600, devNull) == 0 else { return }
    try expectBypassed(graph, inputs, configuration, path: path, problem: "is a device", "device")
    var status = stat()
    #expect(lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFCHR, "left in place")
  }

  /// A new entry is complete as soon as it appears: it reads back as this graph's, and a
  /// second compile loads it.
  @Test func newEntryVerifiesAndIsReused() throws {
    let configuration = scratchConfiguration()
    defer { try? FileManager.default.removeItem(atPath: configuration.cacheDirectory) }
    let (graph, inputs) = try entryVictim()
    let path = try buildEntry(graph, configuration)
    let entry = try CacheEntry(decoding: try bytes(path))
    #expect(path.hasSuffix("/\(entry.key).so"))
    let before = SystemCC.statistics
    try expectMatchesInterpreter(graph, inputs, "reuse") { graph in
      let compiled = try Pipeline.compile(
        graph, options: CompileOptions(backend: .cc), systemCC: configuration)
      #expect(compiled.warnings.isEmpty)
      return compiled
    }
    let after = SystemCC.statistics
    #expect(after.cacheHits >= before.cacheHits + 1)
  }
}

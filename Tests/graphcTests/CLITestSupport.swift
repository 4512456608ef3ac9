import Foundation
import Testing

/// What one run of the `graphc` binary did.
struct CommandResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// The built `graphc` executable, next to the test bundle (the test target depends on it).
let graphcURL: URL? = {
  var candidates: [URL] = []
  if let executable = Bundle.main.executableURL {
    candidates.append(executable.deletingLastPathComponent())
  }
  candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
  candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  candidates.append(root.appendingPathComponent(".build/debug"))
  return candidates.map { $0.appendingPathComponent("graphc") }
    .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

/// Runs `graphc` with `arguments` in `directory`; with `timeout`, a run still going after
/// that many seconds is killed (a safety net against hangs, not a speed check).
func graphc(
  _ arguments: [String], in directory: URL, timeout: Double? = nil,
  environment: [String: String] = [:]
) throws -> CommandResult {
  let binary = try #require(graphcURL, "graphc binary not found next to the tests")
  return try runTool(
    binary.path, arguments, in: directory, timeout: timeout, environment: environment)
}

/// The repository's `Examples` directory.
let examplesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples")

/// Runs the program at `path` (e.g. a C compiler) with `arguments` in `directory`.
/// `environment` adds to (or overrides) this process's variables.
func runTool(
  _ path: String, _ arguments: [String], in directory: URL, timeout: Double? = nil,
  environment: [String: String] = [:]
) throws -> CommandResult {
  let process = Process()
  if !environment.isEmpty {
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  }
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = arguments
  process.currentDirectoryURL = directory
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  if let timeout {
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [process] in
      if process.isRunning { process.terminate() }
    }
  }
  return collect(process, out: out, err: err)
}

/// Reads a running process's output pipes to their end, then waits for it and returns what
/// it did. Both pipes are read before waiting, so a large output cannot block the child.
func collect(_ process: Process, out: Pipe, err: Pipe) -> CommandResult {
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  let errData = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return CommandResult(
    status: process.terminationStatus,
    stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData, as: UTF8.self))
}

/// The first of `candidates` that is an executable file.
func executable(_ candidates: [String]) -> String? {
  candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// One folder per test process that holds every scratch directory; it is removed when the
/// process exits, so repeated runs leave nothing behind in the temporary directory.
private let scratchParent: URL = {
  let parent = FileManager.default.temporaryDirectory
    .appendingPathComponent("graphc-tests-\(getpid())-\(UUID().uuidString)")
  scratchParentPath = parent.path
  atexit {
    if let path = scratchParentPath { try? FileManager.default.removeItem(atPath: path) }
  }
  return parent
}()
nonisolated(unsafe) private var scratchParentPath: String?

/// A fresh directory holding `files` (name to contents), removed when the test process exits.
func scratchDirectory(_ files: [String: String]) throws -> URL {
  let directory = scratchParent.appendingPathComponent(UUID().uuidString)
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  for (name, text) in files {
    try Data(text.utf8).write(to: directory.appendingPathComponent(name))
  }
  return directory
}

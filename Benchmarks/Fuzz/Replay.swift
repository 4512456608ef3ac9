import Foundation

#if !GRAPHC_LIBFUZZER
  /// `graphc-fuzz PATH...` in an ordinary build: runs each file (every file under a
  /// directory) through the fuzz harness once and prints what happened and how long each
  /// stage took. For reproducing a libFuzzer finding in a debug build (with a Swift
  /// backtrace and the verifier between passes), and for replaying a corpus. Exits with
  /// status 1 when a compiled result disagrees with the interpreter; a crash is a crash.
  ///
  /// The fuzzer itself is the same target built with libFuzzer: see README.md.
  @main
  struct Replay {
    static func main() {
      let paths = CommandLine.arguments.dropFirst()
      if paths.isEmpty || paths.contains(where: { $0.hasPrefix("-") }) {
        print(
          """
          usage: graphc-fuzz PATH...   (replays files; directories are read recursively)
          This build has no libFuzzer; to fuzz, build as Benchmarks/Fuzz/README.md says.
          """)
        exit(paths.isEmpty ? 0 : 2)
      }
      var disagreements = 0
      for file in paths.flatMap(files(under:)) {
        guard let data = FileManager.default.contents(atPath: file) else {
          print("\(file): cannot read")
          continue
        }
        var times: [(String, Double)] = []
        var started = Date()
        let outcome = FuzzCase.run([UInt8](data)) { stage in
          let now = Date()
          if let last = times.indices.last { times[last].1 = now.timeIntervalSince(started) }
          times.append((stage, 0))
          started = now
        }
        if let last = times.indices.last { times[last].1 = Date().timeIntervalSince(started) }
        let total = times.reduce(0) { $0 + $1.1 }
        let slowest = times.max { $0.1 < $1.1 }.map { " (slowest: \($0.0) \(ms($0.1)))" } ?? ""
        print("\(file): \(outcome) in \(ms(total))\(slowest)")
        if total > 1 {  // a slow input: where the time went
          print("  " + times.map { "\($0.0) \(ms($0.1))" }.joined(separator: ", "))
        }
        if case .ran(let mismatches) = outcome, !mismatches.isEmpty { disagreements += 1 }
      }
      exit(disagreements == 0 ? 0 : 1)
    }

    /// `path` itself, or every regular file under it (sorted) if it is a directory.
    static func files(under path: String) -> [String] {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
        isDirectory.boolValue
      else { return [path] }
      let names = FileManager.default.subpaths(atPath: path) ?? []
      return names.sorted().map { (path as NSString).appendingPathComponent($0) }.filter {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: $0, isDirectory: &isFolder)
          && !isFolder.boolValue
      }
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
  }
#endif

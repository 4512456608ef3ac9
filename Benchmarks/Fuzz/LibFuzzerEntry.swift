import Foundation

/// libFuzzer's entry point: called with each input it makes (see README.md).
///
/// The raw pointer is libFuzzer's calling convention; it is copied into an array at once.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  if case .ran(let mismatches) = FuzzCase.run(bytes), !mismatches.isEmpty {
    MismatchLog.record(bytes, mismatches)
  }
  return 0
}

/// Inputs whose compiled result disagrees with the interpreter.
///
/// With `GRAPHC_FUZZ_MISMATCH=trap` a disagreement stops the run like a crash (libFuzzer
/// saves the input as `crash-*`). Otherwise the input is written to
/// `mismatch-HASH.graph`, its explanation to `mismatch-HASH.txt` (in
/// `GRAPHC_FUZZ_ARTIFACTS`, else the current directory), and fuzzing goes on: one wrong
/// rewrite would otherwise stop every run, and floating point gives borderline cases that
/// need a human to judge.
enum MismatchLog {
  /// Files written so far; past `limit`, disagreements are only counted.
  nonisolated(unsafe) private static var written = 0
  private static let limit = 500

  static func record(_ bytes: [UInt8], _ mismatches: [String]) {
    let environment = ProcessInfo.processInfo.environment
    let explanation = mismatches.joined(separator: "\n")
    if environment["GRAPHC_FUZZ_MISMATCH"] == "trap" {
      preconditionFailure("compiled result disagrees with the interpreter: \(explanation)")
    }
    guard written < limit else { return }
    written += 1
    let folder = URL(fileURLWithPath: environment["GRAPHC_FUZZ_ARTIFACTS"] ?? ".")
    let base = folder.appendingPathComponent("mismatch-\(fnv1a(bytes))")
    try? Data(bytes).write(to: base.appendingPathExtension("graph"))
    try? Data((explanation + "\n").utf8).write(to: base.appendingPathExtension("txt"))
    FileHandle.standardError.write(
      Data("graphc-fuzz: mismatch written to \(base.path).graph: \(explanation)\n".utf8))
  }

  /// 64-bit FNV-1a of `bytes`, as 16 hex digits: names a mismatch file after its input.
  static func fnv1a(_ bytes: [UInt8]) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
    let digits = String(h, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}

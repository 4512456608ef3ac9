import Foundation

/// Reports training progress: a redrawn bar on a terminal, plain lines otherwise (logs, CI).
public struct ProgressReporter {
  public let isTerminal: Bool
  /// Reports nothing (the ranks other than 0 of a data-parallel run).
  public let isQuiet: Bool
  private var lastDraw = 0.0

  public init(isTerminal: Bool = isatty(STDERR_FILENO) != 0, quiet: Bool = false) {
    self.isTerminal = isTerminal
    isQuiet = quiet
  }

  /// Shows `done` of `total` steps of an epoch with the running loss (at most ~10 draws a
  /// second on a terminal; nothing between epochs otherwise).
  public mutating func step(epoch: Int, epochs: Int, done: Int, total: Int, loss: Double) {
    guard isTerminal, !isQuiet else { return }
    let now = Date().timeIntervalSince1970
    guard now - lastDraw > 0.1 || done == total else { return }
    lastDraw = now
    let width = 30
    let filled = total > 0 ? width * done / total : width
    let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
    let line = String(
      format: "\repoch %d/%d [%@] %d/%d loss %.4f", epoch, epochs, bar, done, total, loss)
    FileHandle.standardError.write(Data(line.utf8))
  }

  /// Ends an epoch with one summary line.
  public func epochDone(_ summary: String) {
    guard !isQuiet else { return }
    let prefix = isTerminal ? "\r\u{1B}[K" : ""
    FileHandle.standardError.write(Data((prefix + summary + "\n").utf8))
  }
}

/// Prints `result` on standard output as one line of JSON with sorted keys: the last line an
/// example writes with `--json`.
public func printJSONLine(_ result: [String: Any]) throws {
  let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
  print(String(decoding: data, as: UTF8.self))
}

import ArgumentParser
import Foundation

/// The `graphc` command: compiles `.graph` files and runs them.
///
/// Every failure ends as one line on standard error and a non-zero exit status: mistakes
/// in a file as `FILE:LINE:COL: error: ...`, others as `graphc: error: ...`.
@main
struct Graphc: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "graphc",
    abstract: "Compile computation graphs written in the .graph language, with their derivatives.",
    subcommands: [
      EmitC.self, IR.self, Show.self, Dot.self, Run.self, Check.self, Bench.self, Train.self,
      GradBench.self,
    ],
    defaultSubcommand: EmitC.self)

  /// Parses the command line and runs it, printing any error as one line.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let error as SourceErrorConvertible {
      fail(error.diagnostic)
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        print(fullMessage(for: error))
        Foundation.exit(0)
      }
      let message = message(for: error)
      if !message.isEmpty {
        let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        writeToStandardError("graphc: error: \(line)")
      }
      Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
    }
  }

  /// Prints `line` to standard error and exits with status 1.
  static func fail(_ line: String) -> Never {
    writeToStandardError(line)
    Foundation.exit(1)
  }
}

/// Writes one line to standard error.
func writeToStandardError(_ line: String) {
  FileHandle.standardError.write(Data((line + "\n").utf8))
}

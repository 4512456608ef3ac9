import ArgumentParser
import Foundation
import GraphCompiler

/// `graphc gradbench`: graphc as a GradBench tool, speaking the protocol on stdin and stdout.
struct GradBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gradbench",
    abstract: "Act as a GradBench tool: JSON messages on stdin, one response line each on stdout.",
    discussion: """
      Implements the modules hello, lse, llsq, gmm, ode, lstm, kmeans, det, ba, particle and saddle, each a \
      .graph template in the repository's GradBench folder whose derivatives graphc \
      computes. Each module, \
      function and size is compiled once. Exits at the end of the input.
      """)

  @Option(help: "The C compiler: tcc (in-process, default) or cc (system, optimised).")
  var backend: Backend = .tcc

  @Option(help: "Worker threads per call (default 1, as GradBench compares single-threaded runs).")
  var threads: Int = 1

  @Option(
    help: "The folder of the modules' .graph templates (default: GradBench/ in this repository).")
  var graphs: String?

  func validate() throws {
    if threads < 1 { throw ValidationError("--threads must be 1 or more, got \(threads)") }
  }

  func run() throws {
    let folder = graphs.map { URL(fileURLWithPath: $0) } ?? GradBenchTemplate.defaultFolder()
    let session = GradBenchSession(
      options: CompileOptions(backend: backend, threads: threads), folder: folder)
    while let line = readLine(strippingNewline: true) {
      if line.allSatisfy(\.isWhitespace) { continue }  // not a message
      let response = session.respond(to: line)
      FileHandle.standardOutput.write(Data((response + "\n").utf8))
    }
  }
}

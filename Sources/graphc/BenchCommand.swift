import ArgumentParser
import Foundation
import GraphCompiler
import GraphIR
import GraphLanguage

/// `graphc bench FILE`: how long the file takes to compile and one call takes to run.
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure compile time and run time.",
    discussion: """
      compile_ms is source text to callable code (parse, optimise, emit C, compile), the \
      median of 3 to 9 compiles; run_ms is the median time of one call of the compiled \
      kernels on preset buffers, over 5 to 1000 calls (about half a second). Inputs not \
      given by --set get seeded random values of their declared type, uniform in [0.5, 1.5) \
      (--seed). --json prints one object with compile_ms, run_ms, kernels, arena_bytes, \
      backend, threads, compile_repeats and run_repeats.
      """)

  @Argument(help: "The .graph file.") var file: String
  @OptionGroup var values: ValueOptions
  @OptionGroup var execution: ExecutionArguments
  @Flag(help: "Print one JSON object with compile_ms and run_ms.") var json = false

  func run() throws {
    let first = try loadGraphFile(file)
    let inputs = try bindArguments(
      first, settings: values.settings, seed: values.seed, missing: .random)
    let compiler = KernelCompiler(options: execution.compileOptions(seed: values.seed))
    _ = try compiler.compileUncached(first.graph)  // settle the backend before timing
    guard let bytes = FileManager.default.contents(atPath: file).map({ [UInt8]($0) }) else {
      throw CommandError("cannot read '\(file)'")
    }

    var compiled: CompiledGraph?
    let compile = try Timing.median(minimum: 3, maximum: 9, budget: 1000) {
      let source = try GraphParser.parseFile(bytes: bytes, fileName: file)
      compiled = try compiler.compileUncached(source.graph)
    }
    guard let compiled else { throw CommandError("nothing was compiled") }
    let context = try compiled.makeContext(compiled.bind(inputs))
    try context.run()  // warm up caches and pages
    let run = try Timing.median(minimum: 5, maximum: 1000, budget: 500) { try context.run() }

    let fields: [(String, String)] = [
      ("compile_ms", "\(compile.milliseconds)"), ("run_ms", "\(run.milliseconds)"),
      ("kernels", "\(compiled.kernelCount)"), ("arena_bytes", "\(compiled.arenaBytes)"),
      ("backend", jsonString(compiled.activeBackend.rawValue)),
      ("threads", "\(compiler.options.threads)"),
      ("compile_repeats", "\(compile.repeats)"), ("run_repeats", "\(run.repeats)"),
    ]
    if json {
      print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
      return
    }
    print(
      String(
        format: "compile_ms   %.3f  (parse, optimise, emit C, compile; median of %d)",
        compile.milliseconds, compile.repeats))
    print(
      String(format: "run_ms       %.4g  (one call; median of %d)", run.milliseconds, run.repeats))
    print("kernels      \(compiled.kernelCount)")
    print("arena_bytes  \(compiled.arenaBytes)")
    print("backend      \(compiled.activeBackend.rawValue)")
    print("threads      \(compiler.options.threads)")
  }
}

import Foundation
import GraphCompiler
import GraphIR
import GraphLanguage

/// The tool's side of a GradBench session: one response line for each message line.
///
/// Follows the protocol in `../shared/gradbench/README.md`: every response carries the
/// message's `id`; `define` succeeds for the modules of `GradBenchModule`; `evaluate` runs
/// the compiled function at least `min_runs` times and until the runs add up to
/// `min_seconds`, reporting one `evaluate` timing per run (the call of the compiled kernels
/// only) and, separately, `compile` (template to callable code, once per module, outputs
/// and size) and `prepare` (the input's conversion into the kernels' buffers, and on the
/// first evaluate of a size the allocation of those buffers). A template's `while` loop
/// (`GradBenchLoop`) that ran out of steps in the first run makes that run a
/// `too_few_steps` timing, and the template is compiled again with twice the steps. Anything
/// wrong with a message is a `success: false` response; nothing here writes to stdout.
final class GradBenchSession {
  /// How graphs are compiled.
  let options: CompileOptions
  /// Where the modules' `.graph` templates are.
  let folder: URL
  /// Compiled functions and their buffers, by `GradBenchInstance.compiledKey`.
  private var cache: [String: ExecutionContext] = [:]
  /// The loop counts that sufficed for earlier inputs, by `GradBenchInstance.key`: a later
  /// evaluate starts from them.
  private var loopCounts: [String: [GradBenchLoop]] = [:]

  init(options: CompileOptions, folder: URL) {
    self.options = options
    self.folder = folder
  }

  /// The response to one message line (one line of JSON, without its newline).
  func respond(to line: String) -> String {
    var id = "null"
    do {
      let message = try GradBenchFields(line: line)
      id = try idText(message)
      let kind = try message.string("kind")
      let members: [(String, String)]
      switch kind {
      case "start": members = start()
      case "define": members = define(try message.string("module"))
      case "evaluate": members = try evaluate(message)
      default: members = []  // analysis and any other kind: acknowledged
      }
      return GradBenchJSON.object([("id", id)] + members)
    } catch {
      return GradBenchJSON.object([
        ("id", id), ("success", "false"), ("error", jsonString(describe(error))),
      ])
    }
  }

  /// The message's id as JSON text (the evals number them 0, 1, 2, ...).
  private func idText(_ message: GradBenchFields) throws -> String {
    guard let number = message.object["id"] as? NSNumber, let id = Int(exactly: number.doubleValue)
    else {
      throw GradBenchError("malformed message: 'id' must be an integer")
    }
    return "\(id)"
  }

  private func start() -> [(String, String)] {
    let config = GradBenchJSON.object([
      ("backend", jsonString(options.backend.rawValue)),
      ("threads", "\(options.threads)"),
    ])
    return [("tool", jsonString("graphc")), ("config", config)]
  }

  private func define(_ module: String) -> [(String, String)] {
    guard GradBenchModule(rawValue: module) != nil else {
      let known = GradBenchModule.allCases.map(\.rawValue).joined(separator: ", ")
      return [
        ("success", "false"),
        (
          "error",
          jsonString("graphc does not implement module '\(module)' (it has \(known))")
        ),
      ]
    }
    do {
      _ = try GradBenchTemplate(module: module, folder: folder)
      return [("success", "true")]
    } catch {
      return [("success", "false"), ("error", jsonString(describe(error)))]
    }
  }

  private func evaluate(_ message: GradBenchFields) throws -> [(String, String)] {
    let name = try message.string("module")
    guard let module = GradBenchModule(rawValue: name) else {
      throw GradBenchError("graphc does not implement module '\(name)'")
    }
    guard message.has("input") else { throw GradBenchError("message has no field 'input'") }
    let input =
      (message.object["input"] as? [String: Any]).map { GradBenchFields($0, context: "input") }
      ?? GradBenchFields(["x": message.object["input"] as Any], context: "input")
    let (minRuns, minSeconds) = try runLimits(input)
    var instance = try module.instance(function: try message.string("function"), input: input)
    if let counts = loopCounts[instance.key] { instance.loops = counts }

    var timings: [(String, UInt64)] = []
    var context = try prepared(instance, module, timings: &timings)
    var runs = 0
    var total: UInt64 = 0
    let minNanoseconds = minSeconds * 1e9
    while runs < minRuns || Double(total) < minNanoseconds {
      let start = now()
      try context.run()
      let elapsed = now() - start
      if runs == 0, let grown = try moreSteps(instance, context) {
        // A loop ran out of steps: this run does not count, and runs again with more.
        timings.append(("too_few_steps", elapsed))
        instance = grown
        loopCounts[instance.key] = instance.loops
        context = try prepared(instance, module, timings: &timings)
        continue
      }
      timings.append(("evaluate", elapsed))
      total += elapsed
      runs += 1
    }
    let output = try outputText(instance.output, instance.values, context)
    let timingText =
      "["
      + timings.map { "{\"name\": \"\($0.0)\", \"nanoseconds\": \($0.1)}" }
      .joined(separator: ", ") + "]"
    return [("success", "true"), ("output", output), ("timings", timingText)]
  }

  /// The instance's compiled graph and buffers, compiled on its first use (timed as
  /// `compile`), with the instance's input copied in (timed as `prepare`, which on a first
  /// use also covers allocating the buffers).
  private func prepared(
    _ instance: GradBenchInstance, _ module: GradBenchModule, timings: inout [(String, UInt64)]
  ) throws -> ExecutionContext {
    var start = now()
    let context: ExecutionContext
    if let cached = cache[instance.compiledKey] {
      context = cached
    } else {
      let compiled = try compile(instance, module: module)
      timings.append(("compile", now() - start))
      start = now()
      context = try compiled.makeContext()  // the buffers: part of preparing the first input
      cache[instance.compiledKey] = context
    }
    for (name, tensor) in instance.inputs { try context.setInput(name, tensor) }
    timings.append(("prepare", now() - start))
    return context
  }

  /// The instance with twice the steps for each loop that ran out of them in the last run
  /// of `context`, or nil if none did. Throws when a loop would need more than
  /// `GradBenchLoop.largestCount` steps.
  private func moreSteps(_ instance: GradBenchInstance, _ context: ExecutionContext) throws
    -> GradBenchInstance?
  {
    var grown = instance
    for (k, loop) in instance.loops.enumerated() {
      guard let flag = context.output(loop.unfinished), flag.scalars.count == 1 else {
        throw GradBenchError("the compiled graph has no scalar output '\(loop.unfinished)'")
      }
      guard flag.scalars[0] != 0 else { continue }
      guard loop.count < GradBenchLoop.largestCount else {
        throw GradBenchError(
          "\(loop.what) did not finish in \(loop.count) steps (the most graphc tries)")
      }
      grown.loops[k].count = 2 * loop.count
    }
    return grown.compiledKey == instance.compiledKey ? nil : grown
  }

  /// `min_runs` (at least 1) and `min_seconds` of an input; 1 and 0 where absent (hello).
  private func runLimits(_ input: GradBenchFields) throws -> (Int, Double) {
    let runs = input.has("min_runs") ? try input.integer("min_runs") : 1
    let seconds = input.has("min_seconds") ? try input.number("min_seconds") : 0
    guard runs >= 1 else { throw GradBenchError("min_runs must be 1 or more, got \(runs)") }
    guard seconds >= 0, seconds.isFinite else {
      throw GradBenchError("min_seconds must be a finite number, 0 or more, got \(seconds)")
    }
    return (runs, seconds)
  }

  /// The instance's graph, from its template, compiled.
  private func compile(_ instance: GradBenchInstance, module: GradBenchModule) throws
    -> CompiledGraph
  {
    let template = try GradBenchTemplate(module: module.rawValue, folder: folder)
    let text = try template.expand(
      instance.valuesWithCounts, steps: instance.steps,
      outputs: instance.output.names + instance.loops.map(\.unfinished))
    let graph = try GraphParser.parse(text, fileName: template.fileName)
    let compiled = try Pipeline.compile(graph, options: options)
    printWarnings(compiled.warnings)
    return compiled
  }

  /// The outputs of the last run as the JSON the eval expects.
  private func outputText(
    _ output: GradBenchOutput, _ values: [String: String], _ context: ExecutionContext
  ) throws -> String {
    func tensor(_ name: String) throws -> Tensor {
      guard let value = context.output(name) else {
        throw GradBenchError("the compiled graph has no output '\(name)'")
      }
      return value
    }
    switch output {
    case .number(let name), .array(let name):
      return try GradBenchJSON.tensor(tensor(name))
    case .object(let members):
      return GradBenchJSON.object(
        try members.map { ($0.0, try GradBenchJSON.tensor(tensor($0.1))) })
    case .custom(let names, let write):
      return try write(try names.map(tensor), values)
    }
  }

  private func describe(_ error: Error) -> String {
    if let error = error as? SourceErrorConvertible { return error.diagnostic }
    return String(describing: error)
  }
}

/// Monotonic nanoseconds.
private func now() -> UInt64 {
  DispatchTime.now().uptimeNanoseconds
}

import ArgumentParser
import Foundation
import GraphCompiler
import GraphIR
import GraphLanguage
import GraphTraining
import TrainingOptions

/// `graphc train FILE`: fits the file's params to data by minimising a scalar loss.
struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train the params of a .graph file on data files.",
    discussion: """
      Each --data NAME=PATH binds a data file to an input: .npy, .csv (PATH.csv#COLUMNS \
      picks columns by header name or 0-based index, e.g. points.csv#x), or IDX (.gz, .idx, \
      *ubyte*). The first axis of the data indexes examples; each input bound to data is \
      declared with the batch size as its first dimension (input x: f64[16, 3] trains on \
      batches of 16), and the rest of its shape must match the data's. Other inputs take \
      --set values. Params start from their initialisers under --seed, from the NAME.npy \
      files of a directory written by --save (--load DIR), or from a --set value (which \
      wins over both); the loss (--loss, \
      default the first output) must be a scalar. Every epoch visits the examples in an \
      order shuffled by --seed, in full batches, and prints the mean loss of its steps; \
      --json adds a last line with one JSON object: epochs, final_loss, losses (per epoch), \
      seconds (training, without compiling), steps_per_second. Under mpirun, --distributed \
      trains data-parallel: the file declares the global batch, each of the P ranks takes \
      1/P of it (the file is parsed again with that first dimension), the gradients and the \
      mean loss are averaged over the ranks inside the compiled step, rank 0 prints and \
      saves, and --json adds ranks, reduction, param_checksums (one per rank) and \
      exchange_seconds_per_step.
      """)

  @Argument(help: "The .graph file.") var file: String
  @Option(help: "The scalar value to minimise (default: the first output).") var loss: String?
  @Option(
    name: .customLong("data"),
    help: ArgumentHelp("Binds a data file to an input.", valueName: "NAME=PATH"))
  var data: [String] = []
  @Option(help: "Examples per step: must equal the data inputs' declared first dimension.")
  var batch: Int?
  @Option(help: "Passes over the data.") var epochs = 10
  @Option(help: "The learning rate.") var lr = 0.01
  @Option(help: "sgd, momentum (SGD with 0.9) or adam.") var optimizer = "sgd"
  @OptionGroup var values: ValueOptions
  @OptionGroup var execution: ExecutionArguments
  @OptionGroup var ranks: DistributedOptions
  @Option(help: "A directory to write the trained params to, one NAME.npy each.")
  var save: String?
  @Option(help: "A directory written by --save: every param starts from its NAME.npy there.")
  var load: String?
  @Flag(help: "End with one line holding a JSON object of the results.") var json = false

  func validate() throws {
    if epochs < 1 { throw ValidationError("--epochs must be 1 or more, got \(epochs)") }
    if let batch, batch < 1 { throw ValidationError("--batch must be 1 or more, got \(batch)") }
    if !(lr.isFinite && lr > 0) { throw ValidationError("--lr must be a positive number") }
    if Optimizer(name: optimizer) == nil {
      throw ValidationError("--optimizer must be sgd, momentum or adam, got '\(optimizer)'")
    }
  }

  func run() throws {
    let communicator = try ranks.communicator()
    let size = communicator?.size ?? 1
    let isLeader = (communicator?.rank ?? 0) == 0
    var source = try loadGraphFile(file)
    let examples = try TrainingData(source, specs: data, batch: batch)
    if size > 1 {
      guard examples.batchSize % size == 0 else {
        throw DistributedError.unevenBatch(batch: examples.batchSize, ranks: size)
      }
      source = try withBatch(
        examples.batchSize / size, for: Set(examples.tensors.keys), in: source, path: file)
    }
    let step = try makeStep(source, ranks: size)
    let given = try readSettings(source, values.settings)
    let fixed = try fixedInputs(source, given: given, data: examples)
    let trainer = try makeTrainer(step, communicator)
    if let load { try trainer.load(from: load) }
    for declaration in source.declarations where declaration.kind == .param {
      if let start = given[declaration.name] {
        try trainer.setParameter(declaration.name, start)
      }
    }
    let dataset = try Dataset(examples.tensors)

    var losses: [Double] = []
    var steps = 0
    let milliseconds = try Timing.milliseconds {
      for epoch in 0..<epochs {
        var total = 0.0
        let batches = dataset.batches(size: examples.batchSize, seed: values.seed, epoch: epoch)
        for rows in batches {
          var inputs = dataset.batch(try trainer.localRows(rows))
          inputs.merge(fixed) { a, _ in a }
          total += try trainer.train(on: inputs, learningRate: lr)
        }
        steps += batches.count
        losses.append(total / Double(batches.count))
        if isLeader { print("epoch \(epoch + 1)/\(epochs): loss \(formatNumber(losses[epoch]))") }
      }
    }
    if let save { try trainer.save(to: save) }
    let seconds = milliseconds / 1000
    let rate = Double(steps) / max(seconds, 1e-9)
    let rankFields = try communicator.map { try finishRanks(trainer, $0) } ?? []
    guard isLeader else { return }
    guard json else {
      print(String(format: "%d steps in %.3f s (%.0f steps/s)", steps, seconds, rate))
      printSmallParams(trainer.parameters, order: step.parameters)
      return
    }
    let dtype = step.graph[step.graph.outputs[0].node].type.dtype
    let fields =
      [
        "\"epochs\": \(epochs)",
        "\"final_loss\": \(jsonNumber(losses[losses.count - 1], dtype))",
        "\"losses\": [" + losses.map { jsonNumber($0, dtype) }.joined(separator: ", ") + "]",
        "\"seconds\": \(seconds)", "\"steps_per_second\": \(rate)",
      ] + rankFields
    print("{" + fields.joined(separator: ", ") + "}")
  }

  /// The training step: the file's graph, the loss, and an update of every param.
  private func makeStep(_ source: GraphFile, ranks: Int) throws -> TrainingStep {
    let graph = source.graph
    let params = source.declarations.filter { $0.kind == .param }
    guard !params.isEmpty else {
      throw CommandError("\(source.fileName) has no param to train (declare one with 'param')")
    }
    guard let lossName = loss ?? graph.outputs.first?.name else {
      throw CommandError("\(source.fileName) has no output to use as the loss")
    }
    let byOutput = graph.outputs.first { $0.name == lossName }?.node
    let byLabel = graph.ids.first { graph.labels[$0] == lossName }
    guard let lossNode = byOutput ?? byLabel ?? graph.argument(named: lossName) else {
      throw CommandError("--loss \(lossName): \(source.fileName) defines no value '\(lossName)'")
    }
    guard graph[lossNode].type.isScalar else {
      throw CommandError(
        "the loss '\(lossName)' is \(graph[lossNode].type); train needs a scalar loss "
          + "(e.g. mean(...) or sum(...)), chosen with --loss")
    }
    let paramNodes = params.compactMap { graph.argument(named: $0.name) }
    let builder = GraphBuilder(continuing: graph)
    // `validate` accepted the name.
    guard let optimizer = Optimizer(name: optimizer) else {
      preconditionFailure("--optimizer '\(optimizer)' passed validation")
    }
    return try TrainingStep(
      builder, loss: lossNode, parameters: paramNodes, optimizer: optimizer, ranks: ranks)
  }

  /// The `--set` values of inputs not bound to data; every input needs one or the other.
  private func fixedInputs(
    _ source: GraphFile, given: [String: Tensor], data: TrainingData
  ) throws -> [String: Tensor] {
    var fixed = given
    for declaration in source.declarations where given[declaration.name] != nil {
      if declaration.kind == .param {
        fixed[declaration.name] = nil  // a starting value, not an input of every step
        continue
      }
      if data.tensors[declaration.name] != nil {
        throw CommandError("'\(declaration.name)' is given by both --set and --data")
      }
    }
    let unbound = source.declarations.filter {
      $0.kind == .input && given[$0.name] == nil && data.tensors[$0.name] == nil
    }
    if let first = unbound.first {
      let names = unbound.map { "'\($0.name)'" }.joined(separator: ", ")
      throw CommandError(
        "no value for input\(unbound.count == 1 ? "" : "s") \(names) "
          + "(bind data with --data NAME=PATH or give a value with --set NAME=VALUE)",
        in: source, at: first.position)
    }
    return fixed
  }

  /// A trainer for `step` on the chosen backend.
  private func makeTrainer(_ step: TrainingStep, _ communicator: (any Communicator)?) throws
    -> Trainer
  {
    let trainer = try Trainer(
      step, options: execution.compileOptions(seed: values.seed), communicator: communicator)
    printWarnings(trainer.compiled.warnings)
    return trainer
  }

  /// `a = 2.998` for each param of at most 16 elements, in declaration order.
  private func printSmallParams(_ parameters: [String: Tensor], order: [String]) {
    for name in order {
      guard let value = parameters[name], value.scalars.count <= 16 else { continue }
      print("\(name) = " + value.nestedDescription { humanNumber($0, value.dtype) })
    }
  }
}

// Trains an MLP or a CNN on Fashion-MNIST with one compiled step (forward, backward and
// optimizer update in a single call) and reports test accuracy and speed.
import ArgumentParser
import Foundation
import GraphCompiler
import GraphData
import GraphIR
import GraphTraining
import TrainingOptions

struct FashionMNIST: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fashion-mnist",
    abstract:
      "Train a 784-256-10 MLP (or a small CNN) on Fashion-MNIST with graphc's compiled training step."
  )

  @Option(help: "mlp (784-hidden-10) or cnn (two 5x5 convolutions with max pooling).")
  var model = Model.mlp
  @Option(help: "Passes over the training set (default: mlp 10, cnn 6).") var epochs: Int?
  @Option(help: "Examples per step (default: mlp 128, cnn 64).") var batch: Int?
  @Option(help: "Learning rate of the first epoch.") var lr = 0.002
  @Option(
    help:
      "Factor applied to the learning rate after each epoch (a run-time argument of the compiled step: no recompiling)."
  )
  var lrDecay = 0.7
  @Option(help: "sgd, momentum or adam.") var optimizer = "adam"
  @Option(help: "Hidden units (default: mlp 256, cnn 128).") var hidden: Int?
  @Option(help: "Channels of the two convolutions, as A,B (cnn only).") var channels = "16,32"
  @Option(help: "Worker threads for the kernels.") var threads = 1
  @Option(help: "tcc (in-process TinyCC) or cc (system compiler); default: mlp tcc, cnn cc.")
  var backend: String?
  @Option(help: "Seed for initial weights and batch order.") var seed: UInt64 = 0
  @Option(help: "Folder with the Fashion-MNIST IDX files.") var data =
    "/usr/share/datasets/fashion-mnist"
  @Option(help: "Write the loss/accuracy curve here (SVG).") var plot = "fashion-mnist-curve.svg"
  @Option(help: "Save the trained parameters (.npy files) to this folder.") var save: String?
  @Option(help: "Start from parameters saved in this folder.") var load: String?
  @Option(help: "Use only this many training examples (0: all).") var limit = 0
  @Flag(help: "Print one JSON object with the results as the last line.") var json = false
  @OptionGroup var distribution: DistributedOptions

  /// The two networks the demo trains.
  enum Model: String, ExpressibleByArgument {
    case mlp, cnn
  }

  /// The settings whose defaults depend on the model. A CNN step costs about 30 times an
  /// MLP step, so it defaults to the system compiler (about 2.5 times faster than TinyCC
  /// on it) and fewer epochs; batches of 64 give it twice the updates per epoch for
  /// about the same time per epoch.
  var epochCount: Int { epochs ?? (model == .mlp ? 10 : 6) }
  var batchSize: Int { batch ?? (model == .mlp ? 128 : 64) }
  var hiddenUnits: Int { hidden ?? (model == .mlp ? 256 : 128) }
  var backendName: String { backend ?? (model == .mlp ? "tcc" : "cc") }
  var channelCounts: [Int] { channels.split(separator: ",").compactMap { Int($0) } }

  func validate() throws {
    guard epochCount >= 1, batchSize >= 1, hiddenUnits >= 1, threads >= 1, limit >= 0 else {
      throw ValidationError("--epochs, --batch, --hidden and --threads must be at least 1")
    }
    guard channelCounts.count == 2, channelCounts.allSatisfy({ $0 >= 1 }) else {
      throw ValidationError("--channels takes two counts of 1 or more, as 16,32")
    }
    guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number") }
    guard lrDecay > 0, lrDecay <= 1 else { throw ValidationError("--lr-decay must be in (0, 1]") }
    guard Optimizer(name: optimizer) != nil else {
      throw ValidationError("unknown optimizer '\(optimizer)' (expected sgd, momentum or adam)")
    }
    guard Backend(rawValue: backendName) != nil else {
      throw ValidationError("unknown backend '\(backendName)' (expected tcc or cc)")
    }
  }

  func run() throws {
    let started = Date()
    let train = try loadSplit("train", limit: limit)
    let test = try loadSplit("t10k", limit: 0)
    log("loaded \(train.count) training and \(test.count) test examples from \(data)")

    let options = CompileOptions(
      backend: Backend(rawValue: backendName) ?? .tcc, threads: threads, seed: seed)
    let batch = batchSize
    // With --distributed each rank trains on its slice of every batch; rank 0 reports.
    let mpi = try distribution.communicator()
    let ranks = mpi?.size ?? 1
    let step = try trainingStep(batch: batch / ranks, ranks: ranks)
    let trainer = try Trainer(step, options: options, communicator: mpi)
    if let load { try trainer.load(from: load) }
    // The CNN's im2col matrices grow with the batch (25 floats per pixel and channel).
    let evalBatch = min(test.count, model == .mlp ? 1000 : 250)
    let evaluator = try Pipeline.compile(predictionGraph(batch: evalBatch), options: options)
    for warning in trainer.compiled.warnings + evaluator.warnings {
      FileHandle.standardError.write(Data("fashion-mnist: warning: \(warning)\n".utf8))
    }

    var reporter = ProgressReporter(quiet: (mpi?.rank ?? 0) != 0)
    var losses: [Double] = []
    var accuracies: [Double] = []
    var steps = 0
    var trainingSeconds = 0.0
    let epochs = epochCount
    for epoch in 1...epochs {
      let batches = train.batches(size: batch, seed: seed, epoch: epoch)
      let epochStart = Date()
      var total = 0.0
      let rate = lr * pow(lrDecay, Double(epoch - 1))
      for (i, rows) in batches.enumerated() {
        let loss = try trainer.train(rows: rows, of: train, learningRate: rate)
        total += loss
        steps += 1
        reporter.step(
          epoch: epoch, epochs: epochs, done: i + 1, total: batches.count,
          loss: total / Double(i + 1))
      }
      trainingSeconds += Date().timeIntervalSince(epochStart)
      let accuracy = try evaluate(evaluator, trainer.parameters, test, batch: evalBatch)
      losses.append(total / Double(max(batches.count, 1)))
      accuracies.append(accuracy)
      reporter.epochDone(
        String(
          format: "epoch %d/%d  loss %.4f  test accuracy %.4f  (%.1f s)", epoch, epochs,
          losses.last ?? 0,
          accuracy, Date().timeIntervalSince(epochStart)))
    }
    if let save { try trainer.save(to: save) }
    var result: [String: Any] = [:]
    if let mpi {
      guard let summary = try trainer.finishDistributed(mpi) else { return }
      result = summary
    }
    try CurvePlot(
      title: "Fashion-MNIST, \(modelDescription), \(optimizer)", xLabel: "epoch",
      left: [.init("training loss", losses, color: "#d62728")],
      right: [.init("test accuracy", accuracies, color: "#1f77b4")]
    ).write(to: plot)
    log("wrote \(plot)")
    result.merge([
      "test_accuracy": accuracies.last ?? 0, "epochs": epochs,
      "seconds": Date().timeIntervalSince(started),
      "training_seconds": trainingSeconds, "steps": steps,
      "steps_per_second": Double(steps) / max(trainingSeconds, 1e-9),
      "train_loss": losses.last ?? 0,
      "backend": backendName, "optimizer": optimizer, "batch": batch, "model": model.rawValue,
    ]) { mine, _ in mine }
    if json {
      try printJSONLine(result)
    } else {
      print(
        String(
          format: "test accuracy %.4f after %d epochs; %.1f steps/s (%d steps of %d)",
          accuracies.last ?? 0, epochs, Double(steps) / max(trainingSeconds, 1e-9), steps, batch))
    }
  }

  /// The network in a few words, for the plot.
  var modelDescription: String {
    switch model {
    case .mlp: "MLP 784-\(hiddenUnits)-10"
    case .cnn: "CNN conv5x5-\(channelCounts[0]), conv5x5-\(channelCounts[1]), \(hiddenUnits)-10"
    }
  }

  /// The network on a batch of `batch` images: its builder, logits, loss and params. The MLP
  /// takes one-hot labels `[batch, 10]`, the CNN integer labels `[batch]`.
  func network(batch: Int) throws -> (GraphBuilder, logits: Value, loss: Value, params: [Value]) {
    let b = GraphBuilder()
    let image = try b.input("image", .f32, shape: [batch, 784])
    switch model {
    case .mlp:
      let label = try b.input("label", .f32, shape: [batch, 10])
      let net = try Sequential(b, sizes: [784, hiddenUnits, 10], hidden: .relu)
      let logits = try net(image)
      return (
        b, logits, try Loss.softmaxCrossEntropy(logits: logits, onehot: label), net.parameters
      )
    case .cnn:
      let label = try b.input("label", .i32, shape: [batch])
      let net = try Sequential.convolutional(b, channels: channelCounts, hidden: hiddenUnits)
      let logits = try net(reshape(image, [batch, 1, 28, 28]))
      return (b, logits, try crossEntropy(logits: logits, labels: label), net.parameters)
    }
  }

  /// The compiled-step graph: loss, gradients and the optimizer update.
  func trainingStep(batch: Int, ranks: Int = 1) throws -> TrainingStep {
    let (b, _, loss, params) = try network(batch: batch)
    return try TrainingStep(
      b, loss: loss.id, parameters: params.map(\.id),
      optimizer: Optimizer(name: optimizer) ?? .adam,
      ranks: ranks)
  }

  /// The prediction graph: logits only.
  func predictionGraph(batch: Int) throws -> Graph {
    let (b, logits, _, _) = try network(batch: batch)
    b.setOutputs([GraphOutput("logits", logits.id)])
    return Simplify.run(b.graph)
  }

  func loadSplit(_ prefix: String, limit: Int) throws -> Dataset {
    let images = try IDX.read("\(data)/\(prefix)-images-idx3-ubyte.gz", scale: 1.0 / 255)
    let labels = try IDX.read("\(data)/\(prefix)-labels-idx1-ubyte.gz")
    guard images.shape.count == 3, images.shape[1] * images.shape[2] == 784,
      labels.shape == [images.shape[0]]
    else {
      throw DataError(
        data,
        "\(prefix): expected images [n, 28, 28] and labels [n], got \(images.shape) and \(labels.shape)"
      )
    }
    let n = limit > 0 ? min(limit, images.shape[0]) : images.shape[0]
    let classes = Array(labels.values.prefix(n))
    return try Dataset([
      "image": Tensor(.f32, shape: [n, 784], scalars: Array(images.values.prefix(n * 784))),
      "label": model == .mlp
        ? oneHot(classes, classes: 10) : Tensor(.i32, shape: [n], scalars: classes),
    ])
  }

  func evaluate(
    _ evaluator: CompiledGraph, _ parameters: [String: Tensor], _ test: Dataset, batch: Int
  ) throws -> Double {
    var correct = 0
    var seen = 0
    var start = 0
    while start + batch <= test.count {
      let rows = Array(start..<start + batch)
      var inputs = test.batch(rows)
      inputs.merge(parameters) { a, _ in a }
      guard let logits = try evaluator.run(inputs)["logits"], let labels = inputs["label"] else {
        break
      }
      for i in 0..<batch {
        let row = logits.scalars[i * 10..<(i + 1) * 10]
        let predicted = row.indices.max { row[$0] < row[$1] } ?? 0  // indexes the whole batch
        let right =
          labels.shape.count == 1
          ? labels.scalars[i] == Double(predicted - i * 10) : labels.scalars[predicted] == 1
        if right { correct += 1 }
      }
      seen += batch
      start += batch
    }
    return Double(correct) / Double(max(seen, 1))
  }

  func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
  }
}

FashionMNIST.main()

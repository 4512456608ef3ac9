import Foundation
import GraphCompiler
import GraphData
import GraphIR

/// Runs a compiled training step over minibatches, keeping parameters and optimizer state
/// between calls, and evaluates a compiled prediction graph.
///
/// With a `communicator`, the trainer is one rank of a data-parallel run: its step must be
/// built for `communicator.size` ranks (`TrainingStep(..., ranks:)`), it starts from rank
/// 0's parameters, `train(rows:of:)` trains on this rank's slice of each global batch, and
/// only rank 0 writes with `save`.
public final class Trainer {
  public let step: TrainingStep
  /// The compiled step (its `warnings` say what the backend had to work around).
  public let compiled: CompiledGraph
  private let context: ExecutionContext
  /// For each carried value: the output index and the index of the input it replaces.
  private let carried: [(output: Int, input: Int)]
  /// Indices of the parameter inputs, in the order of `step.parameters`.
  private let parameterIndices: [Int]
  /// Indices of the loss output, and of the learning-rate and step inputs.
  private let lossIndex: Int
  private let learningRateIndex: Int
  private let stepIndex: Int
  /// The dtype of the learning rate and the step count.
  private let dtype: DType
  /// Steps taken so far.
  public private(set) var stepCount = 0
  /// The ranks of a data-parallel run (nil: one process).
  public let communicator: (any Communicator)?

  /// Compiles the step; every parameter starts from its initialiser with `seed` (the compiled
  /// step's starting values) and optimizer state at zero (the buffers' initial contents).
  /// Parameters and state then live in the compiled step's own buffers: a step copies its
  /// next values over its inputs and converts nothing.
  ///
  /// With a `communicator`, every rank checks that all compiled the same step (else
  /// `DistributedError.mismatchedStep` names the first rank that differs) and takes rank 0's
  /// parameters.
  public init(
    _ step: TrainingStep, options: CompileOptions, communicator: (any Communicator)? = nil
  ) throws {
    let ranks = communicator?.size ?? 1
    guard step.ranks == ranks else {
      throw DistributedError.wrongRankCount(step: step.ranks, communicator: ranks)
    }
    self.step = step
    self.communicator = communicator
    compiled = try Pipeline.compile(step.graph, options: options)
    context = try compiled.makeContext()
    // The step graph declares these names and outputs (see `TrainingStep`), and compiling
    // keeps every input and output.
    let compiled = compiled
    func inputIndex(_ name: String) -> Int {
      guard let k = compiled.inputIndex(named: name) else {
        preconditionFailure("the compiled training step has no input '\(name)'")
      }
      return k
    }
    func outputIndex(_ name: String) -> Int {
      guard let k = compiled.outputs.firstIndex(where: { $0.name == name }) else {
        preconditionFailure("the compiled training step has no output '\(name)'")
      }
      return k
    }
    parameterIndices = step.parameters.map(inputIndex)
    carried = step.carried.map { (outputIndex($0.output), inputIndex($0.input)) }
    lossIndex = outputIndex("loss")
    learningRateIndex = inputIndex(TrainingStep.learningRateInput)
    stepIndex = inputIndex(TrainingStep.stepInput)
    dtype = compiled.inputs[learningRateIndex].type.dtype
    if let communicator { try join(communicator) }
  }

  /// Installs the communicator for the step's `allreduce`, checks that every rank compiled
  /// the same program, and copies rank 0's parameters to every rank.
  private func join(_ communicator: any Communicator) throws {
    RankSums.install(communicator)
    let fingerprints = try communicator.allGather(fnv1a(Array(compiled.program.source.utf8)))
    if let r = fingerprints.indices.first(where: { fingerprints[$0] != fingerprints[0] }) {
      throw DistributedError.mismatchedStep(
        rank: r,
        detail: "it compiled another program (another graph, batch size, optimizer or backend)")
    }
    var bytes: [UInt8] = []
    for k in parameterIndices { context.withInput(at: k) { bytes.append(contentsOf: $0) } }
    let first = try communicator.broadcast(bytes)
    var offset = 0
    for k in parameterIndices {
      context.withInput(at: k) { buffer in
        buffer.copyBytes(from: first[offset..<offset + buffer.count])
        offset += buffer.count
      }
    }
  }

  /// This rank's rows of a global batch: the `k`-th of `communicator.size` equal slices (all
  /// of them in one process). Throws `DistributedError.unevenBatch` when they are not equal.
  public func localRows(_ rows: [Int]) throws -> [Int] {
    guard let communicator, communicator.size > 1 else { return rows }
    let size = communicator.size
    guard rows.count % size == 0 else {
      throw DistributedError.unevenBatch(batch: rows.count, ranks: size)
    }
    let local = rows.count / size
    return Array(rows[communicator.rank * local..<(communicator.rank + 1) * local])
  }

  /// A 64-bit FNV-1a hash of every parameter's bytes, in order: equal on two ranks exactly
  /// when their parameters are (barring a collision).
  public var parameterChecksum: UInt64 {
    var bytes: [UInt8] = []
    for k in parameterIndices { context.withInput(at: k) { bytes.append(contentsOf: $0) } }
    return fnv1a(bytes).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
  }

  /// Every rank's `parameterChecksum`, in rank order (one entry in one process).
  public func parameterChecksums() throws -> [UInt64] {
    let own = parameterChecksum
    guard let communicator else { return [own] }
    let bytes = withUnsafeBytes(of: own.littleEndian) { Array($0) }
    return try communicator.allGather(bytes).map {
      UInt64(littleEndian: $0.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
    }
  }

  /// Current parameter values, by name (copies).
  public var parameters: [String: Tensor] {
    var result: [String: Tensor] = [:]
    for (name, k) in zip(step.parameters, parameterIndices) { result[name] = context.input(at: k) }
    return result
  }

  /// One optimisation step on a batch; returns the loss before the update.
  @discardableResult
  public func train(on batch: [String: Tensor], learningRate: Double) throws -> Double {
    for (name, value) in batch { try context.setInput(name, value) }
    return try finishStep(learningRate: learningRate)
  }

  /// One step on rows of a dataset, written straight into the step's input buffers.
  @discardableResult
  public func train(rows: [Int], of data: Dataset, learningRate: Double) throws -> Double {
    let rows = try localRows(rows)
    for (name, tensor) in data.tensors {
      guard let k = compiled.inputIndex(named: name),
        compiled.inputs[k].type.shape.first == rows.count
      else {
        throw GraphError.invalidOperand(
          op: "train",
          expected: "a batch of rows matching the step's input '\(name)', got \(rows.count) rows")
      }
      try context.withInput(name) { buffer in writeRows(tensor, rows, into: buffer) }
    }
    return try finishStep(learningRate: learningRate)
  }

  private func finishStep(learningRate: Double) throws -> Double {
    stepCount += 1
    try context.setInput(at: learningRateIndex, Tensor(learningRate, dtype: dtype))
    try context.setInput(at: stepIndex, Tensor(Double(stepCount), dtype: dtype))
    try context.run()
    for (output, input) in carried {
      context.withOutput(at: output) { source in
        context.withInput(at: input) { target in target.copyMemory(from: source) }
      }
    }
    // `TrainingStep` refuses a loss that is not a scalar.
    guard let loss = context.output(at: lossIndex).scalar else {
      preconditionFailure("the training step's loss is not a scalar")
    }
    return loss
  }

  /// Replaces a parameter's value (its shape must match).
  public func setParameter(_ name: String, _ value: Tensor) throws {
    try context.setInput(name, value)
  }

  /// Writes every parameter to `directory/NAME.npy` (bit-exact); with a communicator, only
  /// rank 0 writes.
  public func save(to directory: String) throws {
    if let communicator, communicator.rank != 0 { return }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (name, value) in parameters {
      try NPY.write(value, to: "\(directory)/\(fileName(name)).npy")
    }
  }

  /// Reads parameters written by `save`; a missing file or a wrong shape is an error.
  public func load(from directory: String) throws {
    let current = parameters
    // In declaration order, so the first missing file reported is always the same one.
    for name in step.parameters {
      guard let current = current[name] else { continue }
      let path = "\(directory)/\(fileName(name)).npy"
      let value = try NPY.read(path)
      guard value.shape == current.shape else {
        throw DataError(
          path, "shape \(value.shape) does not match param '\(name)' of type \(current.type)")
      }
      try setParameter(name, Tensor(current.dtype, shape: value.shape, scalars: value.scalars))
    }
  }

  /// Parameter names contain dots and brackets; keep file names to a safe alphabet.
  private func fileName(_ name: String) -> String {
    String(
      name.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" ? $0 : "_" })
  }
}

/// The 64-bit FNV-1a hash of `bytes`, as 8 little-endian bytes.
func fnv1a(_ bytes: [UInt8]) -> [UInt8] {
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
  return withUnsafeBytes(of: hash.littleEndian) { Array($0) }
}

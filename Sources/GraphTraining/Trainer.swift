import Foundation
import GraphCompiler
import GraphData
import GraphIR

/// Runs a compiled training step over minibatches, keeping parameters and optimizer state
/// between calls, and evaluates a compiled prediction graph.
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

  /// Compiles the step; every parameter starts from its initialiser with `seed` (the compiled
  /// step's starting values) and optimizer state at zero (the buffers' initial contents).
  /// Parameters and state then live in the compiled step's own buffers: a step copies its
  /// next values over its inputs and converts nothing.
  public init(_ step: TrainingStep, options: CompileOptions) throws {
    self.step = step
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
    for (name, tensor) in data.tensors {
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

  /// Writes every parameter to `directory/NAME.npy` (bit-exact).
  public func save(to directory: String) throws {
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

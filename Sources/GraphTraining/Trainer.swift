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
  /// For each carried value: the output index and the input it replaces.
  private let carried: [(output: Int, input: String)]
  private let lossIndex: Int
  private let dtype: DType
  /// Steps taken so far.
  public private(set) var stepCount = 0

  /// Compiles the step and initialises every parameter from its initialiser with `seed`;
  /// optimizer state starts at zero. Parameters and state then live in the compiled step's
  /// own buffers: a step copies its next values over its inputs and converts nothing.
  public init(_ step: TrainingStep, options: CompileOptions) throws {
    self.step = step
    compiled = try Pipeline.compile(step.graph, options: options)
    context = try compiled.makeContext()
    for name in step.parameters {
      guard let id = step.graph.argument(named: name) else { continue }
      let initializer = step.graph.initializers[name] ?? .fill(0)
      try context.setInput(
        name, initializer.values(step.graph[id].type, seed: options.seed, name: name))
    }
    for (name, type) in step.state { try context.setInput(name, Tensor(filling: 0, type)) }
    let outputs = compiled.outputs.map(\.name)
    carried = step.carried.compactMap { pair in
      outputs.firstIndex(of: pair.output).map { ($0, pair.input) }
    }
    lossIndex = outputs.firstIndex(of: "loss") ?? 0
    dtype =
      step.graph.argument(named: TrainingStep.learningRateInput).map { step.graph[$0].type.dtype }
      ?? .f32
  }

  /// Current parameter values, by name (copies).
  public var parameters: [String: Tensor] {
    var result: [String: Tensor] = [:]
    for name in step.parameters { result[name] = try? context.input(name) }
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
    try context.setInput(TrainingStep.learningRateInput, Tensor(learningRate, dtype: dtype))
    try context.setInput(TrainingStep.stepInput, Tensor(Double(stepCount), dtype: dtype))
    context.run()
    for (output, input) in carried {
      try context.withOutput(at: output) { source in
        try context.withInput(input) { target in target.copyMemory(from: source) }
      }
    }
    return context.output(at: lossIndex).scalars.first ?? .nan
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

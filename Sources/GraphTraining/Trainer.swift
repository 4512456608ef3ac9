import Foundation
import GraphCompiler
import GraphData
import GraphIR

/// Runs a compiled training step over minibatches, keeping parameters and optimizer state
/// between calls, and evaluates a compiled prediction graph.
public final class Trainer {
  public let step: TrainingStep
  private let compiledStep: CompiledGraph
  /// Current parameter values, by name.
  public private(set) var parameters: [String: Tensor]
  /// Optimizer state, by input name.
  private var state: [String: Tensor]
  /// Steps taken so far.
  public private(set) var stepCount = 0

  /// Compiles the step and initialises every parameter from its initialiser with `seed`.
  public init(_ step: TrainingStep, options: CompileOptions) throws {
    self.step = step
    compiledStep = try Pipeline.compile(step.graph, options: options)
    var parameters: [String: Tensor] = [:]
    for name in step.parameters {
      guard let id = step.graph.argument(named: name) else { continue }
      let initializer = step.graph.initializers[name] ?? .fill(0)
      parameters[name] = initializer.values(step.graph[id].type, seed: options.seed, name: name)
    }
    self.parameters = parameters
    state = Dictionary(uniqueKeysWithValues: step.state.map { ($0.name, Tensor(filling: 0, $0.type)) })
  }

  /// One optimisation step on a batch; returns the loss before the update.
  @discardableResult
  public func train(on batch: [String: Tensor], learningRate: Double) throws -> Double {
    stepCount += 1
    let dtype = step.graph.argument(named: TrainingStep.learningRateInput).map { step.graph[$0].type.dtype } ?? .f32
    var inputs = batch
    inputs.merge(parameters) { a, _ in a }
    inputs.merge(state) { a, _ in a }
    inputs[TrainingStep.learningRateInput] = Tensor(learningRate, dtype: dtype)
    inputs[TrainingStep.stepInput] = Tensor(Double(stepCount), dtype: dtype)
    let outputs = try compiledStep.run(inputs)
    for (output, input) in step.carried {
      guard let value = outputs[output] else { continue }
      if parameters[input] != nil { parameters[input] = value } else { state[input] = value }
    }
    return outputs["loss"]?.scalar ?? .nan
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
    for (name, current) in parameters {
      let path = "\(directory)/\(fileName(name)).npy"
      let value = try NPY.read(path)
      guard value.shape == current.shape else {
        throw DataError(path, "shape \(value.shape) does not match param '\(name)' of type \(current.type)")
      }
      parameters[name] = Tensor(current.dtype, shape: value.shape, scalars: value.scalars)
    }
  }

  /// Parameter names contain dots and brackets; keep file names to a safe alphabet.
  private func fileName(_ name: String) -> String {
    String(name.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" ? $0 : "_" })
  }
}

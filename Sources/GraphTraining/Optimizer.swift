import Autodiff
import GraphIR

/// How a training step turns gradients into parameter updates. The update is part of the
/// compiled step graph: forward, backward and update run in one call.
public enum Optimizer: Sendable, Equatable, CustomStringConvertible {
  /// `v = momentum*v + g; p = p - lr*v` (plain SGD when momentum is 0).
  case sgd(momentum: Double)
  /// Adam with bias correction: `m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;`
  /// `p = p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)`.
  case adam(beta1: Double, beta2: Double, epsilon: Double)

  /// Adam with the usual constants (0.9, 0.999, 1e-8).
  public static let adam = Optimizer.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8)

  /// Parses `sgd`, `momentum` (SGD with 0.9) or `adam`.
  public init?(name: String) {
    switch name.lowercased() {
    case "sgd": self = .sgd(momentum: 0)
    case "momentum": self = .sgd(momentum: 0.9)
    case "adam": self = .adam
    default: return nil
    }
  }

  /// Names of the per-parameter state tensors this optimizer keeps.
  var stateSlots: [String] {
    switch self {
    case .sgd(let momentum): momentum == 0 ? [] : ["velocity"]
    case .adam: ["m", "v"]
    }
  }

  public var description: String {
    switch self {
    case .sgd(let m): m == 0 ? "sgd" : "sgd(momentum \(m))"
    case .adam(let b1, let b2, let eps): "adam(\(b1), \(b2), \(eps))"
    }
  }
}

/// A training step as one graph.
///
/// Inputs: the model's data inputs, every parameter, every optimizer state tensor, and the
/// scalars `learningRateInput` and `stepInput` (the 1-based step count, for Adam's bias
/// correction). Outputs: `loss`, then the next value of every parameter and state tensor, so
/// changing the learning rate or the step never recompiles.
///
/// For a data-parallel run on `ranks` processes, each rank's step takes its own slice of the
/// global batch (the model's data inputs hold `1/ranks` of it), and between the gradients
/// and the update one `allreduce` sums every gradient and the loss, flattened into one
/// buffer, over the ranks; the sum is divided by `ranks`. A loss that is a mean over the
/// batch (as `Loss` builds) then gives every rank the gradient and loss of the whole global
/// batch, and the update of one process trained on it.
public struct TrainingStep: Sendable {
  public static let learningRateInput = "gc.learning_rate"
  public static let stepInput = "gc.step"

  /// The step graph.
  public var graph: Graph
  /// Parameter names, in order.
  public var parameters: [String]
  /// Optimizer state: input name and type; each starts at zero.
  public var state: [(name: String, type: TensorType)]
  /// For each output that is a next value: the input it replaces after the step.
  public var carried: [(output: String, input: String)]
  /// The number of ranks whose gradients the step sums (1: no `allreduce`).
  public var ranks: Int

  /// Appends gradient and update nodes for `loss` with respect to `parameters` to `b`; with
  /// `ranks` above 1, the gradients and loss are averaged over that many ranks first.
  public init(
    _ b: GraphBuilder, loss: NodeID, parameters: [NodeID], optimizer: Optimizer, ranks: Int = 1
  ) throws {
    guard b.type(loss).isScalar else { throw GraphError.notScalar(op: "train", type: b.type(loss)) }
    guard let dtype = parameters.first.map({ b.type($0).dtype }) else {
      throw GraphError.invalidOperand(op: "train", expected: "at least one param")
    }
    guard ranks >= 1 else {
      throw GraphError.invalidOperand(op: "train", expected: "at least 1 rank, got \(ranks)")
    }
    let lr = try b.input(Self.learningRateInput, .scalar(dtype))
    let t = try b.input(Self.stepInput, .scalar(dtype))
    var grads = try gradient(of: loss, withRespectTo: parameters, in: b)
    var loss = loss
    if ranks > 1 { (grads, loss) = try Self.averageOverRanks(b, grads, loss, ranks) }
    var outputs = [GraphOutput("loss", loss)]
    var carried: [(String, String)] = []
    var state: [(String, TensorType)] = []
    var names: [String] = []
    for (p, g) in zip(parameters, grads) {
      guard let name = b[p].op.inputName else {
        throw GraphError.invalidOperand(
          op: "train", expected: "params to train, got \(p), a '\(b[p].op.name)' node")
      }
      names.append(name)
      var slots: [String: NodeID] = [:]
      for slot in optimizer.stateSlots {
        let input = "gc.\(slot)[\(name)]"
        slots[slot] = try b.input(input, b.type(p))
        state.append((input, b.type(p)))
      }
      let (next, nextSlots) = try Self.update(b, p, g, slots, optimizer, lr, t)
      outputs.append(GraphOutput("gc.next[\(name)]", next))
      carried.append(("gc.next[\(name)]", name))
      for (slot, node) in nextSlots.sorted(by: { $0.key < $1.key }) {
        outputs.append(GraphOutput("gc.next.\(slot)[\(name)]", node))
        carried.append(("gc.next.\(slot)[\(name)]", "gc.\(slot)[\(name)]"))
      }
    }
    b.setOutputs(outputs)
    graph = b.graph
    self.parameters = names
    self.state = state
    self.carried = carried
    self.ranks = ranks
  }

  /// The gradients and loss averaged over `ranks`: flattened into one vector, summed over
  /// the ranks by one `allreduce`, scaled by `1/ranks`, and sliced back into shape.
  private static func averageOverRanks(
    _ b: GraphBuilder, _ grads: [NodeID], _ loss: NodeID, _ ranks: Int
  ) throws -> ([NodeID], NodeID) {
    let values = grads + [loss]
    let dtypes = Set(values.map { b.type($0).dtype })
    guard dtypes.count == 1 else {
      throw GraphError.invalidOperand(
        op: "train",
        expected: "params of one dtype to train on several ranks, got "
          + dtypes.map(\.rawValue).sorted().joined(separator: " and "))
    }
    let flat = try b.concat(values.map { try b.reshape($0, to: [b.type($0).count]) }, axis: 0)
    let mean = try b.mul(b.allreduce(flat), b.scalar(1 / Double(ranks), like: flat))
    var averaged: [NodeID] = []
    var offset = 0
    for value in values {
      let type = b.type(value)
      let part = try b.slice(mean, start: [offset], end: [offset + type.count])
      averaged.append(try b.reshape(part, to: type.shape))
      offset += type.count
    }
    return (Array(averaged.dropLast()), averaged[averaged.count - 1])
  }

  private static func update(
    _ b: GraphBuilder, _ p: NodeID, _ g: NodeID, _ slots: [String: NodeID], _ optimizer: Optimizer,
    _ lr: NodeID, _ t: NodeID
  ) throws -> (NodeID, [String: NodeID]) {
    func c(_ v: Double) -> NodeID { b.scalar(v, like: p) }
    switch optimizer {
    case .sgd(let momentum):
      guard momentum != 0, let velocity = slots["velocity"] else {
        return (try b.sub(p, b.mul(lr, g)), [:])
      }
      let v = try b.add(b.mul(c(momentum), velocity), g)
      return (try b.sub(p, b.mul(lr, v)), ["velocity": v])
    case .adam(let beta1, let beta2, let epsilon):
      guard let m0 = slots["m"], let v0 = slots["v"] else {
        preconditionFailure("adam state missing")
      }
      let m = try b.add(b.mul(c(beta1), m0), b.mul(c(1 - beta1), g))
      let v = try b.add(b.mul(c(beta2), v0), b.mul(c(1 - beta2), b.mul(g, g)))
      // Bias corrections 1 - beta^t are scalars computed once per step.
      let mScale = try b.div(lr, b.sub(c(1), b.pow(c(beta1), t)))
      let vScale = try b.div(c(1), b.sub(c(1), b.pow(c(beta2), t)))
      let denominator = try b.add(b.sqrt(b.mul(v, vScale)), c(epsilon))
      return (try b.sub(p, b.div(b.mul(mScale, m), denominator)), ["m": m, "v": v])
    }
  }
}

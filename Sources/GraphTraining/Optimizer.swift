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

  /// Appends gradient and update nodes for `loss` with respect to `parameters` to `b`.
  public init(_ b: GraphBuilder, loss: NodeID, parameters: [NodeID], optimizer: Optimizer) throws {
    guard b.type(loss).isScalar else { throw GraphError.notScalar(op: "train", type: b.type(loss)) }
    guard let dtype = parameters.first.map({ b.type($0).dtype }) else {
      throw GraphError.invalidOperand(op: "train", expected: "at least one param")
    }
    let lr = try b.input(Self.learningRateInput, .scalar(dtype))
    let t = try b.input(Self.stepInput, .scalar(dtype))
    let grads = try gradient(of: loss, withRespectTo: parameters, in: b)
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

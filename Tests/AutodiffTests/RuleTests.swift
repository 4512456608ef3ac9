import Autodiff
import GraphIR
import GraphTestSupport
import Testing

/// One primitive (or composite) applied to inputs of given shapes, for finite-difference
/// checks of its VJP and JVP rules.
struct RuleCase: CustomTestStringConvertible, Sendable {
  let name: String
  let shapes: [[Int]]
  /// Maps samples in about [-2, 2] into the op's domain (e.g. positive for log).
  var domain: @Sendable (Double) -> Double = { $0 }
  let build: @Sendable (GraphBuilder, [NodeID]) throws -> NodeID
  var testDescription: String { "\(name) \(shapes)" }
}

/// Values away from 0, for divisors and kinks.
let awayFromZero: @Sendable (Double) -> Double = { $0 >= 0 ? $0 + 0.5 : $0 - 0.5 }
let positive: @Sendable (Double) -> Double = { Swift.abs($0) + 0.3 }
/// Values in (-3, 0) at least 0.1 from an integer, where lgamma and digamma are smooth.
let negativeNonInteger: @Sendable (Double) -> Double = {
  -0.1 - 0.8 * ((Swift.abs($0) * 1.7).truncatingRemainder(dividingBy: 1))
    - Double(Int(Swift.abs($0)) % 3)
}

func unary(
  _ name: String, _ domain: @escaping @Sendable (Double) -> Double = { $0 },
  _ f: @escaping @Sendable (GraphBuilder, NodeID) throws -> NodeID
) -> [RuleCase] {
  [[], [3], [2, 3]].map { shape in
    RuleCase(name: name, shapes: [shape], domain: domain) { b, x in try f(b, x[0]) }
  }
}

func binary(
  _ name: String, _ domain: @escaping @Sendable (Double) -> Double = { $0 },
  _ f: @escaping @Sendable (GraphBuilder, NodeID, NodeID) throws -> NodeID
) -> [RuleCase] {
  let patterns: [[[Int]]] = [
    [[], []], [[2, 3], [2, 3]], [[2, 3], [3]], [[2, 1], [1, 3]], [[], [2, 3]],
  ]
  return patterns.map { shapes in
    RuleCase(name: name, shapes: shapes, domain: domain) { b, x in try f(b, x[0], x[1]) }
  }
}

let ruleCases: [RuleCase] =
  unary("neg") { try $0.neg($1) } + unary("exp") { try $0.exp($1) }
  + unary("log", positive) { try $0.log($1) } + unary("sin") { try $0.sin($1) }
  + unary("cos") { try $0.cos($1) } + unary("tan", { $0 / 2 }) { try $0.tan($1) }
  + unary("tanh") { try $0.tanh($1) } + unary("sqrt", positive) { try $0.sqrt($1) }
  + unary("abs", awayFromZero) { try $0.abs($1) }
  + unary("sigmoid") { try $0.sigmoid($1) } + unary("relu", awayFromZero) { try $0.relu($1) }
  + unary("erf") { try $0.erf($1) } + unary("gelu") { try $0.gelu($1) }
  + unary("lgamma", positive) { try $0.lgamma($1) }
  + unary("lgamma of negatives", negativeNonInteger) { try $0.lgamma($1) }
  + unary("digamma", positive) { try $0.polygamma($1, order: 0) }
  + unary("digamma of negatives", negativeNonInteger) { try $0.polygamma($1, order: 0) }
  + binary("add") { try $0.add($1, $2) } + binary("sub") { try $0.sub($1, $2) }
  + binary("mul") { try $0.mul($1, $2) } + binary("div", awayFromZero) { try $0.div($1, $2) }
  + binary("pow", positive) { try $0.pow($1, $2) } + binary("max") { try $0.maximum($1, $2) }
  + binary("min") { try $0.minimum($1, $2) }
  + binary("where") { b, x, y in try b.select(b.greater(x, y), b.mul(x, y), b.sin(y)) }
  + binary("less") { b, x, y in try b.add(b.less(x, y), b.mul(x, y)) }
  + [
    RuleCase(name: "broadcast", shapes: [[3, 1]]) { b, x in try b.broadcast(x[0], to: [2, 3, 4]) },
    RuleCase(name: "reshape", shapes: [[2, 3]]) { b, x in try b.reshape(x[0], to: [3, 2]) },
    RuleCase(name: "transpose", shapes: [[2, 3, 4]]) { b, x in
      try b.transpose(x[0], permutation: [2, 0, 1])
    },
    RuleCase(name: "slice", shapes: [[4, 3]]) { b, x in
      try b.slice(x[0], start: [1, 0], end: [3, 2])
    },
    RuleCase(name: "index", shapes: [[4, 3]]) { b, x in try b.index(x[0], [.at(2), .range(1, nil)])
    },
    RuleCase(name: "slice with steps", shapes: [[7, 5]]) { b, x in
      try b.index(x[0], [.range(1, 8, step: 3), .range(nil, nil, step: 2)])
    },
    RuleCase(name: "slice reversed", shapes: [[7, 5]]) { b, x in
      try b.index(x[0], [.range(-2, 0, step: -2), .range(nil, nil, step: -1)])
    },
    RuleCase(name: "slice reversed with index", shapes: [[6]]) { b, x in
      try b.index(x[0], [.range(nil, nil, step: -4)])
    },
    RuleCase(name: "cumsum", shapes: [[2, 3, 4]]) { b, x in try b.cumsum(x[0], axis: 1) },
    RuleCase(name: "cumsum", shapes: [[5]]) { b, x in try b.cumsum(x[0], axis: -1) },
    RuleCase(name: "cumsum twice", shapes: [[3, 4]]) { b, x in
      try b.cumsum(b.mul(b.cumsum(x[0], axis: 0), x[0]), axis: -1)
    },
    RuleCase(name: "pad", shapes: [[2, 3]]) { b, x in try b.pad(x[0], low: [1, 0], high: [0, 2]) },
    RuleCase(name: "concat", shapes: [[2, 3], [1, 3]]) { b, x in try b.concat(x, axis: 0) },
    RuleCase(name: "concat", shapes: [[2, 3], [2, 1], [2, 2]]) { b, x in try b.concat(x, axis: 1) },
    RuleCase(name: "sum", shapes: [[2, 3, 4]]) { b, x in try b.sum(x[0], axes: [1]) },
    RuleCase(name: "sum", shapes: [[2, 3, 4]]) { b, x in try b.sum(x[0], axes: [0, 2]) },
    RuleCase(name: "sum", shapes: [[2, 3]]) { b, x in try b.sum(x[0]) },
    RuleCase(name: "mean", shapes: [[2, 3]]) { b, x in try b.mean(x[0], axes: [0]) },
    RuleCase(name: "reduce_max", shapes: [[2, 3, 4]]) { b, x in try b.reduceMax(x[0], axes: [1]) },
    RuleCase(name: "reduce_max", shapes: [[5]]) { b, x in try b.reduceMax(x[0]) },
    RuleCase(name: "matmul", shapes: [[2, 3], [3, 4]]) { b, x in try b.matmul(x[0], x[1]) },
    RuleCase(name: "matmul", shapes: [[3], [3, 2]]) { b, x in try b.matmul(x[0], x[1]) },
    RuleCase(name: "matmul", shapes: [[2, 3], [3]]) { b, x in try b.matmul(x[0], x[1]) },
    RuleCase(name: "softmax", shapes: [[2, 3]]) { b, x in try b.softmax(x[0], axis: -1) },
    RuleCase(name: "log_softmax", shapes: [[2, 3]]) { b, x in try b.logSoftmax(x[0], axis: 0) },
    RuleCase(name: "logsumexp", shapes: [[2, 3]]) { b, x in try b.logsumexp(x[0], axis: 1) },
    RuleCase(name: "cross_entropy", shapes: [[2, 3], [2, 3]]) { b, x in
      try b.crossEntropy(logits: x[0], onehot: x[1])
    },
  ]

/// Every rule against central finite differences on the interpreter, in f64.
@Suite struct RuleTests {
  /// The case's inputs `x0, x1, ...` with deterministic values in the op's domain.
  func setUp(_ c: RuleCase, _ b: GraphBuilder) throws -> (ids: [NodeID], values: [String: Tensor]) {
    var ids: [NodeID] = []
    var values: [String: Tensor] = [:]
    for (i, shape) in c.shapes.enumerated() {
      ids.append(try b.input("x\(i)", TensorType(.f64, shape)))
      var t = sampleTensor(shape, seed: UInt64(7 + i))
      t.scalars = t.scalars.map(c.domain)
      values["x\(i)"] = t
    }
    return (ids, values)
  }

  /// VJP: the gradient of `sum(op(x...) * w)` for a varied weight `w` (so the cotangent is not
  /// uniform) against finite differences, for every operand.
  @Test(arguments: ruleCases) func vjpMatchesFiniteDifferences(_ c: RuleCase) throws {
    let b = GraphBuilder()
    var (xs, values) = try setUp(c, b)
    let out = try c.build(b, xs)
    let w = try b.input("w", b.type(out))
    values["w"] = sampleTensor(b.type(out).shape, seed: 99)
    let y = try b.sum(b.mul(out, w))
    let grads = try gradient(of: y, withRespectTo: xs, in: b)
    for (i, g) in grads.enumerated() {
      let error = try checkGradient(b.graph, of: y, withRespectTo: "x\(i)", gradient: g, at: values)
      #expect(error < 1e-6, "operand \(i)")
    }
  }

  /// JVP: the tangent of `op(x...)` along varied directions against a directional difference.
  @Test(arguments: ruleCases) func jvpMatchesFiniteDifferences(_ c: RuleCase) throws {
    let b = GraphBuilder()
    let (xs, values) = try setUp(c, b)
    let out = try c.build(b, xs)
    var directions: [String: Tensor] = [:]
    var tangents: [NodeID] = []
    for (i, x) in xs.enumerated() {
      tangents.append(try b.input("v\(i)", b.type(x)))
      directions["v\(i)"] = sampleTensor(b.type(x).shape, seed: UInt64(31 + i))
      directions["x\(i)"] = directions["v\(i)"]
    }
    let t = try jvp(of: [out], withRespectTo: xs, tangents: tangents, in: b)[0]
    let all = values.merging(directions.filter { $0.key.hasPrefix("v") }) { a, _ in a }
    let computed = try Interpreter.evaluate(b.graph, all)[t.index]
    let estimated = try FiniteDifferences.directionalDerivative(
      b.graph, of: out, at: all, along: directions.filter { $0.key.hasPrefix("x") })
    #expect(worstError(computed, estimated) < 1e-6)
  }
}

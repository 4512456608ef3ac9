import Autodiff
import GraphCompiler
import GraphIR
import GraphTestSupport

/// Small hand-made graphs covering every op, with fixed inputs, for compiled-vs-interpreter
/// tests.
struct Case: CustomStringConvertible, Sendable {
  var name: String
  var graph: Graph
  var inputs: [String: Tensor]
  var description: String { name }
}

/// Deterministic inputs: a smooth, sign-changing ramp (no randomness needed).
func ramp(_ type: TensorType, scale: Double = 1, shift: Double = 0) -> Tensor {
  let n = type.count
  var values: [Double] = []
  for i in 0..<n {
    let wave: Double = sin(Double(i) * 1.7 + shift)
    let step: Double = 0.1 * Double(i % 7)
    values.append(scale * (wave + step))
  }
  return Tensor(type.dtype, shape: type.shape, scalars: values)
}

/// Builds a case from a closure over a builder; every input gets a ramp.
func makeCase(_ name: String, _ build: (GraphBuilder) throws -> Void) -> Case {
  let b = GraphBuilder()
  do { try build(b) } catch { preconditionFailure("corpus case \(name): \(error)") }
  var inputs: [String: Tensor] = [:]
  for (k, id) in b.graph.arguments.enumerated() {
    let node = b.graph[id]
    if case .input(let n) = node.op { inputs[n] = ramp(node.type, shift: Double(k)) }
  }
  return Case(name: name, graph: b.graph, inputs: inputs)
}

func sin(_ x: Double) -> Double { ScalarMath.apply(.sin, [x]) }

/// The corpus, in both dtypes.
func corpus() -> [Case] {
  DType.floats.flatMap { corpus($0) }
}

func corpus(_ t: DType) -> [Case] {
  func T(_ shape: [Int]) -> TensorType { TensorType(t, shape) }
  var cases: [Case] = []
  func add(_ name: String, _ build: (GraphBuilder) throws -> Void) {
    cases.append(makeCase("\(t) \(name)", build))
  }
  add("unary ops") { b in
    let x = try b.input("x", T([2, 5]))
    let ax = try b.abs(x)
    b.output("neg", try b.neg(x))
    b.output("exp", try b.exp(x))
    b.output("log", try b.log(ax))
    b.output("sin", try b.sin(x))
    b.output("cos", try b.cos(x))
    b.output("tan", try b.tan(x))
    b.output("tanh", try b.tanh(x))
    b.output("sqrt", try b.sqrt(ax))
    b.output("abs", ax)
  }
  add("binary ops") { b in
    let x = try b.input("x", T([3, 4]))
    let y = try b.input("y", T([3, 4]))
    b.output("add", try b.add(x, y))
    b.output("sub", try b.sub(x, y))
    b.output("mul", try b.mul(x, y))
    b.output("div", try b.div(x, y))
    b.output("pow", try b.pow(try b.abs(x), y))
    b.output("max", try b.maximum(x, y))
    b.output("min", try b.minimum(x, y))
  }
  add("comparisons select cast") { b in
    let x = try b.input("x", T([7]))
    let y = try b.input("y", T([7]))
    b.output("lt", try b.less(x, y))
    b.output("le", try b.lessEqual(x, x))
    b.output("gt", try b.greater(x, y))
    b.output("ge", try b.greaterEqual(x, y))
    b.output("eq", try b.equal(x, x))
    b.output("ne", try b.notEqual(x, y))
    b.output("select", try b.select(try b.less(x, y), x, y))
    let other: DType = t == .f32 ? .f64 : .f32
    b.output("cast", try b.cast(try b.cast(x, to: other), to: t))
    b.output("relu", try b.relu(x))
  }
  add("broadcasting") { b in
    let m = try b.input("m", T([3, 4]))
    let row = try b.input("row", T([4]))
    let col = try b.input("col", T([3, 1]))
    let s = try b.input("s", T([]))
    b.output("scalar", try b.mul(m, s))
    b.output("row", try b.add(m, row))
    b.output("col", try b.sub(m, col))
    b.output("outer", try b.mul(col, row))
    let r3 = try b.input("r3", T([2, 1, 4]))
    b.output("rank extension", try b.add(r3, m))
    b.output("expensive broadcast", try b.mul(m, try b.exp(row)))
  }
  add("reductions") { b in
    let x = try b.input("x", T([2, 3, 4]))
    b.output("lead", try b.sum(x, axes: [0]))
    b.output("middle", try b.sum(x, axes: [1]))
    b.output("trail", try b.sum(x, axes: [-1]))
    b.output("all", try b.sum(x))
    b.output("two", try b.sum(x, axes: [0, 2]))
    b.output("max lead", try b.reduceMax(x, axes: [0]))
    b.output("max trail", try b.reduceMax(x, axes: [-1]))
    b.output("max all", try b.reduceMax(x))
    b.output("mean", try b.mean(x, axes: [1, 2]))
  }
  add("fused loss and gradient") { b in try buildLossAndGradient(b, t, count: 50) }
  add("shape ops") { b in
    let x = try b.input("x", T([3, 4]))
    b.output("transpose", try b.transpose(x))
    b.output("transpose exp", try b.exp(try b.transpose(x)))
    b.output("reshape", try b.reshape(x, to: [2, 6]))
    b.output(
      "reshape then bcast", try b.add(try b.reshape(x, to: [4, 3]), try b.input("c", T([3]))))
    b.output("slice", try b.slice(x, start: [1, 1], end: [3, 3]))
    b.output("index", try b.index(x, [.at(1), .range(nil, -1)]))
    b.output("negative range", try b.index(x, [.range(-2, nil)]))
    b.output("pad", try b.pad(x, low: [1, 0], high: [0, 2]))
    b.output("pad expr", try b.pad(try b.exp(x), low: [0, 1], high: [1, 1]))
    let y = try b.input("y", T([3, 2]))
    let z = try b.input("z", T([3, 1]))
    b.output("concat2", try b.concat([x, y], axis: -1))
    b.output("concat3", try b.concat([x, try b.neg(y), z], axis: 1))
    b.output("concat0", try b.concat([x, x], axis: 0))
    let t3 = try b.input("t3", T([2, 3, 4]))
    b.output("transpose3", try b.transpose(t3, permutation: [2, 0, 1]))
    b.output("transpose sum", try b.sum(try b.transpose(t3, permutation: [1, 2, 0]), axes: [0]))
  }
  add("matmul") { b in
    let a = try b.input("a", T([3, 5]))
    let w = try b.input("w", T([5, 4]))
    let v = try b.input("v", T([5]))
    b.output("mm", try b.matmul(a, w))
    b.output("mv", try b.matmul(a, v))
    b.output("vm", try b.matmul(v, w))
    b.output("vv", try b.matmul(v, v))
    b.output("mtm", try b.matmul(try b.transpose(a), a))
    b.output("dense", try b.tanh(try b.add(try b.matmul(a, w), try b.input("bias", T([4])))))
    b.output("constant operand", try b.matmul(a, b.constant(0.5, T([5, 2]))))
  }
  add("softmax and cross entropy") { b in
    let logits = try b.input("logits", T([4, 6]))
    let onehot = try b.input("onehot", T([4, 6]))
    b.output("softmax", try b.softmax(logits, axis: -1))
    b.output("logsumexp", try b.logsumexp(logits, axis: 0))
    b.output("ce", try b.crossEntropy(logits: logits, onehot: onehot))
  }
  add("zero size") { b in
    let x = try b.input("x", T([0, 3]))
    let w = try b.input("w", T([3, 0]))
    b.output("exp", try b.exp(x))
    b.output("sum", try b.sum(x))
    b.output("sum axis", try b.sum(x, axes: [0]))
    b.output("max", try b.reduceMax(x))
    b.output("mm", try b.matmul(w, x))
    b.output("mm0", try b.matmul(x, try b.input("w2", T([3, 2]))))
    b.output("concat", try b.concat([x, x], axis: 0))
    let e = try b.input("e", T([2, 0]))
    b.output(
      "bcast",
      try b.add(try b.reshape(try b.transpose(e), to: [1, 2, 0]), try b.input("r", T([2, 1]))))
    b.output("pad", try b.pad(e, low: [0, 1], high: [1, 1]))
  }
  add("outputs that are inputs and constants") { b in
    let x = try b.input("x", T([2]))
    b.output("x", x)
    b.output("x again", x)
    b.output("two", b.constant(2, T([2, 2])))
    b.output("scalar", try b.sum(x))
    b.output("scalar again", try b.sum(x))
    b.output("reshaped", try b.reshape(x, to: [1, 2]))
  }
  add("chain reusing arena memory") { b in
    var x = try b.input("x", T([6, 5]))
    for _ in 0..<5 {
      let m = try b.reduceMax(x, axes: [1])
      x = try b.exp(try b.sub(x, try b.reshape(m, to: [6, 1])))
      let s = try b.reshape(try b.sum(x, axes: [0]), to: [5, 1])
      x = try b.add(x, try b.transpose(try b.broadcast(s, to: [5, 6])))
    }
    b.output("y", x)
  }
  add("special functions, running sums, stepped slices and a gradient through them") { b in
    let x = try b.input("x", T([4, 6]))
    let ax = try b.add(b.abs(x), b.scalar(0.5, like: x))
    b.output("erf", try b.erf(x))
    b.output("gelu", try b.gelu(x))
    b.output("lgamma", try b.lgamma(ax))
    b.output("digamma", try b.polygamma(ax, order: 0))
    b.output("trigamma of negatives", try b.polygamma(b.neg(ax), order: 1))
    b.output("cumsum 0", try b.cumsum(x, axis: 0))
    b.output("cumsum -1 reversed", try b.apply(.cumsum(axis: 1, reverse: true), [b.exp(x)]))
    let picked = try b.index(x, [.range(nil, nil, step: -2), .range(1, 6, step: 2)])
    b.output("stepped", picked)
    let shifted = try b.add(picked, b.scalar(3, like: x))
    let loss = try b.sum(b.mul(b.cumsum(b.gelu(picked), axis: 1), b.lgamma(shifted)))
    b.output("gradient", try Autodiff.gradient(of: loss, withRespectTo: [x], in: b)[0])
  }
  add("compositions of index maps") { b in
    let x = try b.input("x", T([2, 3, 4]))
    let v = try b.input("v", T([3]))
    let bx = try b.broadcast(try b.reshape(v, to: [3, 1]), to: [3, 4])
    b.output("slice of broadcast", try b.slice(bx, start: [1, 1], end: [3, 4]))
    b.output(
      "broadcast of slice",
      try b.add(x, try b.slice(try b.exp(x), start: [1, 0, 0], end: [2, 3, 4])))
    b.output(
      "pad of pad",
      try b.pad(try b.pad(x, low: [0, 1, 0], high: [1, 0, 0]), low: [1, 0, 2], high: [0, 0, 1]))
    let t = try b.transpose(x, permutation: [1, 0, 2])
    b.output("reshape of transpose", try b.sin(try b.reshape(t, to: [6, 4])))
    b.output("transpose of reshape", try b.transpose(try b.reshape(x, to: [4, 6])))
    b.output("concat 3d", try b.concat([x, try b.neg(x), x], axis: 0))
    let x4 = try b.reshape(x, to: [2, 3, 2, 2])
    b.output("max middle", try b.reduceMax(x4, axes: [1, 2]))
    b.output("sum of broadcast", try b.sum(try b.mul(bx, bx), axes: [0]))
    b.output("sum lead and trail", try b.sum(x4, axes: [0, 3]))
    b.output(
      "matmul of slices",
      try b.matmul(
        try b.slice(x, start: [0, 0, 0], end: [1, 3, 4]).reshaped(b, [3, 4]),
        try b.transpose(try b.reshape(x, to: [6, 4]))))
  }
  add("params") { b in
    let x = try b.input("x", T([2, 3]))
    let w = try b.param("w", T([3]), initializer: .fill(0.5))
    b.output("y", try b.mul(x, w))
  }
  return cases
}

extension NodeID {
  /// `b.reshape(self, to: shape)`, for chaining in the corpus.
  func reshaped(_ b: GraphBuilder, _ shape: [Int]) throws -> NodeID {
    try b.reshape(self, to: shape)
  }
}

/// The reference interpreter: the test oracle for everything the compiler produces.
///
/// Evaluates every node in order with plain loops, in double precision, rounding each f32
/// result to float. Slow on purpose: it must be obviously right.
public enum Interpreter {
  /// Evaluates the graph's outputs. Params not in `inputs` take their initialisers' fill
  /// value when it is a constant; random initialisers must be supplied. Throws
  /// `InputError` for a missing value or a wrong shape (names the graph does not use are
  /// ignored).
  public static func run(_ graph: Graph, _ inputs: [String: Tensor]) throws -> [String: Tensor] {
    let values = try evaluate(graph, inputs)
    var result: [String: Tensor] = [:]
    for output in graph.outputs { result[output.name] = values[output.node.index] }
    return result
  }

  /// Evaluates every node; the result is indexed by node.
  public static func evaluate(_ graph: Graph, _ inputs: [String: Tensor]) throws -> [Tensor] {
    try MemoryBudget.check(graph.ids.map { (graph.labels[$0] ?? "\($0)", graph[$0].type) })
    var missing: [String] = []
    for id in graph.arguments where inputs[graph.argumentName(id)] == nil {
      if case .param = graph[id].op, case .fill = graph.initializer(ofParam: id) { continue }
      missing.append(graph.argumentName(id))
    }
    if !missing.isEmpty { throw InputError.missing(missing) }

    var values: [Tensor] = []
    values.reserveCapacity(graph.nodes.count)
    for id in graph.ids {
      let args = graph[id].inputs.map { values[$0.index] }
      values.append(try evaluate(id, args, inputs, graph))
    }
    return values
  }

  private static func evaluate(
    _ id: NodeID, _ args: [Tensor], _ inputs: [String: Tensor], _ graph: Graph
  )
    throws -> Tensor
  {
    let node = graph[id]
    let type = node.type
    func make(_ scalars: [Double]) -> Tensor {
      Tensor(type.dtype, shape: type.shape, scalars: scalars)
    }
    switch node.op {
    case .input(let name), .param(let name):
      if let given = inputs[name] {
        guard given.shape == type.shape else {
          throw InputError.wrongShape(name: name, expected: type, got: given.shape)
        }
        return make(given.scalars)
      }
      guard case .param = node.op, case .fill(let v) = graph.initializer(ofParam: id) else {
        preconditionFailure(
          "'\(name)' has no value but was not reported missing:\n\(graph.context(around: id))")
      }
      return Tensor(filling: v, type)
    case .constant(let c):
      return Tensor(filling: c.value, type)
    case .neg, .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs, .erf, .lgamma, .polygamma,
      .stopGradient, .add,
      .sub, .mul, .div, .pow, .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual,
      .equal, .notEqual, .select,
      .cast:
      return make(
        (0..<type.count).map { i in ScalarMath.apply(node.op, args.map { $0.scalars[i] }) })
    case .broadcast:
      return make(
        gather(type.shape) { index in
          offset(of: broadcastSource(index, from: args[0].shape), in: args[0].shape)
        }.map { args[0].scalars[$0] })
    case .reshape:
      return make(args[0].scalars)
    case .transpose(let perm):
      return make(
        gather(type.shape) { index in
          var source = [Int](repeating: 0, count: perm.count)
          for k in perm.indices { source[perm[k]] = index[k] }
          return offset(of: source, in: args[0].shape)
        }.map { args[0].scalars[$0] })
    case .slice(let start, _, let step):
      return make(
        gather(type.shape) { index in
          offset(of: index.indices.map { start[$0] + index[$0] * step[$0] }, in: args[0].shape)
        }.map { args[0].scalars[$0] })
    case .pad(let low, _):
      let inner = args[0].shape
      return make(
        gather(type.shape) { index in
          let source = zip(index, low).map(-)
          let inside = zip(source, inner).allSatisfy { $0 >= 0 && $0 < $1 }
          return inside ? offset(of: source, in: inner) : -1
        }.map { $0 < 0 ? 0 : args[0].scalars[$0] })
    case .window(let w):
      let source = args[0].shape
      return make(
        gather(type.shape) { offset(of: windowSource($0, w), in: source) }
          .map { args[0].scalars[$0] })
    case .windowSum(let w):
      // Each window element adds into the element it was taken from.
      var out = [Double](repeating: 0, count: type.count)
      for (i, index) in allIndices(args[0].shape).enumerated() {
        out[offset(of: windowSource(index, w), in: type.shape)] += args[0].scalars[i]
      }
      return make(out)
    case .concat(let axis):
      var scalars: [Double] = []
      scalars.reserveCapacity(type.count)
      for index in allIndices(type.shape) {
        var position = index[axis]
        for part in args {
          if position < part.shape[axis] {
            var source = index
            source[axis] = position
            scalars.append(part.scalars[offset(of: source, in: part.shape)])
            break
          }
          position -= part.shape[axis]
        }
      }
      return make(scalars)
    case .sum(let axes), .reduceMax(let axes):
      let isSum = if case .sum = node.op { true } else { false }
      var acc = [Double](repeating: isSum ? 0 : -.infinity, count: type.count)
      let inShape = args[0].shape
      let keep = inShape.indices.filter { !axes.contains($0) }
      for (i, index) in allIndices(inShape).enumerated() {
        let o = offset(of: keep.map { index[$0] }, in: type.shape)
        let v = args[0].scalars[i]
        acc[o] = isSum ? acc[o] + v : (acc[o].isNaN || v.isNaN ? .nan : Swift.max(acc[o], v))
      }
      return make(acc)
    case .cumsum(let axis, let reverse):
      // Accumulated in double, each running total rounded to the dtype (as the kernel does).
      let shape = args[0].shape
      let inner = shape[(axis + 1)...].reduce(1, *)
      let length = shape[axis]
      var out = [Double](repeating: 0, count: type.count)
      for outer in 0..<(shape[..<axis].reduce(1, *)) {
        for i in 0..<inner {
          var total = 0.0
          for step in 0..<length {
            let k = reverse ? length - 1 - step : step
            let e = (outer * length + k) * inner + i
            total += args[0].scalars[e]
            out[e] = total
          }
        }
      }
      return make(out)
    case .matmul:
      // One product per matrix of the stack (the leading axes).
      let (a, b) = (args[0], args[1])
      let r = a.shape.count
      let (n, k, m) = (a.shape[r - 2], a.shape[r - 1], b.shape[r - 1])
      let batch = a.shape.dropLast(2).reduce(1, *)
      var out = [Double](repeating: 0, count: batch * n * m)
      for q in 0..<batch {
        let (sa, sb, sc) = (q * n * k, q * k * m, q * n * m)
        for i in 0..<n {
          for j in 0..<m {
            var s = 0.0
            for p in 0..<k { s += a.scalars[sa + i * k + p] * b.scalars[sb + p * m + j] }
            out[sc + i * m + j] = s
          }
        }
      }
      return make(out)
    case .iota(let axis):
      return make(allIndices(type.shape).map { Double($0[axis]) })
    case .take(let axis, let caller):
      let (x, idx) = (args[0], args[1])
      let at = try checkedIndices(idx, size: x.shape[axis], axis: axis, caller)
      let (outer, inner) = blocks(x.shape, axis)
      var out: [Double] = []
      out.reserveCapacity(type.count)
      for o in 0..<outer {
        for v in at {
          out +=
            x.scalars[((o * x.shape[axis] + v) * inner)..<((o * x.shape[axis] + v + 1) * inner)]
        }
      }
      return make(out)
    case .scatterAdd(let axis, let caller):
      let (g, idx) = (args[0], args[1])
      let size = type.shape[axis]
      let at = try checkedIndices(idx, size: size, axis: axis, caller)
      let (outer, inner) = blocks(type.shape, axis)
      var out = [Double](repeating: 0, count: type.count)
      for o in 0..<outer {
        for (j, v) in at.enumerated() {
          for t in 0..<inner {
            out[(o * size + v) * inner + t] += g.scalars[(o * at.count + j) * inner + t]
          }
        }
      }
      return make(out)
    case .allreduce:
      return args[0]  // the interpreter is one process: the sum over ranks is its own value
    }
  }

  /// The indices of `idx` counted from 0 (a negative index counts from the end), or the
  /// error for the first one outside `-size ..< size`, in row-major order.
  private static func checkedIndices(
    _ idx: Tensor, size: Int, axis: Int, _ caller: IndexCaller
  ) throws -> [Int] {
    try idx.scalars.enumerated().map { j, value in
      let v = Int(value)
      guard v >= -size, v < size else {
        let position = allIndices(idx.shape)[j]
        throw InputError.indexOutOfRange(
          caller: caller, index: v, axis: axis, size: size, position: position)
      }
      return v < 0 ? v + size : v
    }
  }

  /// The element counts before and after `axis` of `shape`.
  static func blocks(_ shape: [Int], _ axis: Int) -> (outer: Int, inner: Int) {
    (shape[..<axis].reduce(1, *), shape[(axis + 1)...].reduce(1, *))
  }

  /// The operand index a broadcast result index reads (NumPy rules, aligned right).
  static func broadcastSource(_ index: [Int], from shape: [Int]) -> [Int] {
    let offset = index.count - shape.count
    return shape.indices.map { shape[$0] == 1 ? 0 : index[$0 + offset] }
  }

  /// Row-major offset of a multi-index.
  static func offset(of index: [Int], in shape: [Int]) -> Int {
    var o = 0
    for (i, d) in zip(index, shape) { o = o * d + i }
    return o
  }

  /// Every multi-index of a shape in row-major order.
  /// The element a window element `[..., kh, kw, i, j]` is taken from:
  /// `[..., i*sh + kh*dh, j*sw + kw*dw]`.
  static func windowSource(_ index: [Int], _ w: Window) -> [Int] {
    let q = index.count
    return Array(index.prefix(q - 4)) + [
      index[q - 2] * w.stride[0] + index[q - 4] * w.dilation[0],
      index[q - 1] * w.stride[1] + index[q - 3] * w.dilation[1],
    ]
  }

  static func allIndices(_ shape: [Int]) -> [[Int]] {
    let count = shape.reduce(1, *)
    guard count > 0 else { return [] }
    var result: [[Int]] = []
    result.reserveCapacity(count)
    var index = [Int](repeating: 0, count: shape.count)
    for _ in 0..<count {
      result.append(index)
      var axis = shape.count - 1
      while axis >= 0 {
        index[axis] += 1
        if index[axis] < shape[axis] { break }
        index[axis] = 0
        axis -= 1
      }
    }
    return result
  }

  private static func gather(_ shape: [Int], _ source: ([Int]) -> Int) -> [Int] {
    allIndices(shape).map(source)
  }
}

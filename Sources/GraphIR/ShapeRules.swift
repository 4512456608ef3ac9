/// Result types of primitive ops.
///
/// `resultType` is the single shape rule: one exhaustive switch, cases in `Op` order. Ops whose
/// result cannot be derived from the operands (`broadcast`, `reshape`, `cast`) take it as
/// `requested`; for every other op `requested` must be nil or agree.
public enum ShapeRules {
  /// The type of `op` applied to operands of `types`, or a `GraphError` naming `opName`.
  ///
  /// Every result is within the shape limits (`checkShape`): a matrix product or a broadcast
  /// of small operands can still be too large, and every later size computation (strides,
  /// byte counts, loop bounds) relies on the limit.
  public static func resultType(
    _ op: Op, _ types: [TensorType], requested: TensorType?, opName: String
  ) throws -> TensorType {
    let result = try rule(op, types, requested: requested, opName: opName)
    try checkShape(result.shape)
    return result
  }

  /// The shape rule proper: one exhaustive switch.
  private static func rule(
    _ op: Op, _ types: [TensorType], requested: TensorType?, opName: String
  ) throws -> TensorType {
    func arity(_ n: Int) throws {
      guard types.count == n else {
        throw GraphError.invalidOperand(op: opName, expected: "\(n) operands, got \(types.count)")
      }
    }
    func sameTypes() throws -> TensorType {
      guard let first = types.first else {
        throw GraphError.invalidOperand(op: opName, expected: "operands")
      }
      for t in types.dropFirst() {
        guard t.dtype == first.dtype else {
          throw GraphError.dtypeMismatch(op: opName, operands: types)
        }
        guard t.shape == first.shape else {
          throw GraphError.shapeMismatch(op: opName, operands: types)
        }
      }
      return first
    }
    /// Integer values are for indices and counts: only `-`, `+`, `*`, comparisons, `where`,
    /// conversions, shape ops and sums take them.
    func float(_ t: TensorType) throws {
      guard t.dtype.isFloat else { throw GraphError.needsFloat(op: opName, type: t) }
    }
    func target() throws -> TensorType {
      guard let requested else {
        throw GraphError.invalidOperand(op: opName, expected: "a result type")
      }
      return requested
    }

    switch op {
    case .input, .param, .constant:
      try arity(0)
      return try target()
    case .neg:
      try arity(1)
      return types[0]
    case .exp, .log, .sin, .cos, .tan, .tanh, .sqrt, .abs, .erf, .lgamma:
      try arity(1)
      try float(types[0])
      return types[0]
    case .polygamma(let order):
      try arity(1)
      try float(types[0])
      guard (0...1).contains(order) else {
        throw GraphError.invalidOperand(op: opName, expected: "order 0 or 1, got \(order)")
      }
      return types[0]
    case .add, .sub, .mul, .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual:
      try arity(2)
      return try sameTypes()
    case .div, .pow, .maximum, .minimum:
      try arity(2)
      let t = try sameTypes()
      try float(t)
      return t
    case .select:
      try arity(3)
      return try sameTypes()
    case .stopGradient:
      try arity(1)
      return types[0]
    case .allreduce:
      try arity(1)
      try float(types[0])
      return types[0]
    case .cast:
      try arity(1)
      let t = try target()
      guard t.shape == types[0].shape else {
        throw GraphError.shapeMismatch(op: opName, operands: types + [t])
      }
      return t
    case .broadcast:
      try arity(1)
      let t = try target()
      guard t.dtype == types[0].dtype, canBroadcast(types[0].shape, to: t.shape) else {
        throw GraphError.shapeMismatch(op: opName, operands: [types[0], t])
      }
      return t
    case .reshape:
      try arity(1)
      let t = try target()
      guard t.dtype == types[0].dtype, t.count == types[0].count else {
        throw GraphError.shapeMismatch(op: opName, operands: [types[0], t])
      }
      return t
    case .transpose(let perm):
      try arity(1)
      guard perm.sorted() == Array(0..<types[0].rank) else {
        throw GraphError.invalidOperand(
          op: opName, expected: "a permutation of the axes of \(types[0])")
      }
      return types[0].with(shape: perm.map { types[0].shape[$0] })
    case .slice(let start, let end, let step):
      try arity(1)
      let shape = types[0].shape
      guard start.count == shape.count, end.count == shape.count, step.count == shape.count,
        shape.indices.allSatisfy({
          isCanonicalSlice(start: start[$0], end: end[$0], step: step[$0], size: shape[$0])
        })
      else {
        throw GraphError.invalidOperand(op: opName, expected: "slice bounds within \(types[0])")
      }
      return types[0].with(
        shape: shape.indices.map { sliceCount(start: start[$0], end: end[$0], step: step[$0]) })
    case .pad(let low, let high):
      try arity(1)
      let shape = types[0].shape
      guard low.count == shape.count, high.count == shape.count,
        low.allSatisfy({ $0 >= 0 }), high.allSatisfy({ $0 >= 0 })
      else {
        throw GraphError.invalidOperand(op: opName, expected: "non-negative padding for each axis")
      }
      let result = shape.indices.map { shape[$0] + low[$0] + high[$0] }
      return types[0].with(shape: result)
    case .window(let w):
      try arity(1)
      let shape = types[0].shape
      guard shape.count >= 2, let oh = w.count(shape[shape.count - 2], 0),
        let ow = w.count(shape[shape.count - 1], 1)
      else {
        throw GraphError.invalidOperand(op: opName, expected: "windows (\(w)) that fit \(types[0])")
      }
      return types[0].with(shape: shape.dropLast(2) + w.kernel + [oh, ow])
    case .windowSum(let w):
      try arity(1)
      let t = try target()
      let shape = t.shape
      guard shape.count >= 2, let oh = w.count(shape[shape.count - 2], 0),
        let ow = w.count(shape[shape.count - 1], 1),
        types[0].shape == shape.dropLast(2) + w.kernel + [oh, ow], t.dtype == types[0].dtype
      else {
        throw GraphError.shapeMismatch(op: opName, operands: [types[0], t])
      }
      return t
    case .concat(let axis):
      guard let first = types.first, !types.isEmpty else {
        throw GraphError.invalidOperand(op: opName, expected: "at least one operand")
      }
      guard axis >= 0, axis < first.rank else {
        throw GraphError.badAxis(op: opName, axis: axis, rank: first.rank)
      }
      var total = 0
      for t in types {
        guard t.dtype == first.dtype else {
          throw GraphError.dtypeMismatch(op: opName, operands: types)
        }
        guard t.rank == first.rank,
          t.shape.indices.allSatisfy({ $0 == axis || t.shape[$0] == first.shape[$0] })
        else { throw GraphError.shapeMismatch(op: opName, operands: types) }
        total += t.shape[axis]
      }
      var shape = first.shape
      shape[axis] = total
      return first.with(shape: shape)
    case .sum(let axes), .reduceMax(let axes):
      try arity(1)
      if case .reduceMax = op { try float(types[0]) }
      let rank = types[0].rank
      guard axes == Array(Set(axes)).sorted(), axes.allSatisfy({ $0 >= 0 && $0 < rank }) else {
        if let axis = axes.first(where: { $0 < 0 || $0 >= rank }) {
          throw GraphError.badAxis(op: opName, axis: axis, rank: rank)
        }
        // Only a caller of `apply` can get here: the builder's reductions normalise axes.
        throw GraphError.invalidOperand(
          op: opName, expected: "axes in increasing order without repeats, got \(axes)")
      }
      let shape = types[0].shape.indices.filter { !axes.contains($0) }.map { types[0].shape[$0] }
      return types[0].with(shape: shape)
    case .cumsum(let axis, _):
      try arity(1)
      guard axis >= 0, axis < types[0].rank else {
        throw GraphError.badAxis(op: opName, axis: axis, rank: types[0].rank)
      }
      return types[0]
    case .matmul:
      try arity(2)
      let (a, b) = (types[0], types[1])
      guard a.dtype == b.dtype else { throw GraphError.dtypeMismatch(op: opName, operands: types) }
      try float(a)
      // A stack of matrices in the last two axes; the leading (batch) axes must be equal
      // (the builder broadcasts them first).
      guard a.rank >= 2, a.rank == b.rank, a.shape.dropLast(2) == b.shape.dropLast(2),
        a.shape[a.rank - 1] == b.shape[b.rank - 2]
      else {
        throw GraphError.shapeMismatch(op: opName, operands: types)
      }
      return a.with(shape: a.shape.dropLast(1) + [b.shape[b.rank - 1]])
    case .iota(let axis):
      try arity(0)
      let t = try target()
      guard axis >= 0, axis < t.rank else {
        throw GraphError.badAxis(op: opName, axis: axis, rank: t.rank)
      }
      return t
    case .take(let axis, _):
      try arity(2)
      let (x, idx) = (types[0], types[1])
      guard axis >= 0, axis < x.rank else {
        throw GraphError.badAxis(op: opName, axis: axis, rank: x.rank)
      }
      guard idx.dtype.isInteger else { throw GraphError.needsInteger(op: opName, type: idx) }
      return x.with(shape: takeShape(x.shape, idx.shape, axis: axis))
    case .scatterAdd(let axis, _):
      try arity(2)
      let (g, idx) = (types[0], types[1])
      let t = try target()
      guard axis >= 0, axis < t.rank else {
        throw GraphError.badAxis(op: opName, axis: axis, rank: t.rank)
      }
      guard idx.dtype.isInteger else { throw GraphError.needsInteger(op: opName, type: idx) }
      guard t.dtype == g.dtype, takeShape(t.shape, idx.shape, axis: axis) == g.shape else {
        throw GraphError.shapeMismatch(op: opName, operands: [g, idx, t])
      }
      return t
    }
  }

  /// The shape of `take(x, idx, axis)`: `x.shape[..<axis] + idx.shape + x.shape[(axis+1)...]`.
  public static func takeShape(_ x: [Int], _ idx: [Int], axis: Int) -> [Int] {
    Array(x[..<axis]) + idx + Array(x[(axis + 1)...])
  }

  /// True when one axis of a slice is in `Op.slice`'s canonical form within an axis of
  /// `size`: step 1 with `0 <= start <= end <= size`; any other non-zero step takes at least
  /// two elements, all inside the axis, and `end` is the last one moved by one in the step's
  /// direction.
  public static func isCanonicalSlice(start: Int, end: Int, step: Int, size: Int) -> Bool {
    if step == 1 { return 0 <= start && start <= end && end <= size }
    guard step != 0, Swift.abs(step) < Int.max / 2 else { return false }
    let last = end - step.signum()
    guard (last - start) % step == 0, (last - start) / step >= 1 else { return false }
    return (0..<size).contains(start) && (0..<size).contains(last)
  }

  /// The number of elements one axis of a canonical slice takes.
  public static func sliceCount(start: Int, end: Int, step: Int) -> Int {
    step == 1 ? end - start : (end - step.signum() - start) / step + 1
  }

  /// NumPy's rule: `from` aligned right against `to`, each of its axes 1 or equal.
  public static func canBroadcast(_ from: [Int], to: [Int]) -> Bool {
    guard from.count <= to.count else { return false }
    let offset = to.count - from.count
    return from.indices.allSatisfy { from[$0] == 1 || from[$0] == to[$0 + offset] }
  }

  /// The NumPy broadcast of two shapes, or nil when they do not fit.
  public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    let pa = [Int](repeating: 1, count: rank - a.count) + a
    let pb = [Int](repeating: 1, count: rank - b.count) + b
    var result: [Int] = []
    for (x, y) in zip(pa, pb) {
      if x == y || y == 1 {
        result.append(x)
      } else if x == 1 {
        result.append(y)
      } else {
        return nil
      }
    }
    return result
  }
}

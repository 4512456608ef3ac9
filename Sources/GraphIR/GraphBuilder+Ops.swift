/// The operations of the graph API: elementwise math with NumPy broadcasting, reductions,
/// shape ops and matmul. Each throws a `GraphError` naming the op when operands do not fit.
extension GraphBuilder {
  // MARK: Elementwise, one operand

  /// `-x`
  public func neg(_ x: NodeID) throws -> NodeID { try apply(.neg, [x], name: "-") }
  /// `e^x`
  public func exp(_ x: NodeID) throws -> NodeID { try apply(.exp, [x]) }
  /// Natural logarithm.
  public func log(_ x: NodeID) throws -> NodeID { try apply(.log, [x]) }
  /// Sine.
  public func sin(_ x: NodeID) throws -> NodeID { try apply(.sin, [x]) }
  /// Cosine.
  public func cos(_ x: NodeID) throws -> NodeID { try apply(.cos, [x]) }
  /// Tangent.
  public func tan(_ x: NodeID) throws -> NodeID { try apply(.tan, [x]) }
  /// Hyperbolic tangent.
  public func tanh(_ x: NodeID) throws -> NodeID { try apply(.tanh, [x]) }
  /// Square root.
  public func sqrt(_ x: NodeID) throws -> NodeID { try apply(.sqrt, [x]) }
  /// Absolute value.
  public func abs(_ x: NodeID) throws -> NodeID { try apply(.abs, [x]) }
  /// The error function.
  public func erf(_ x: NodeID) throws -> NodeID { try apply(.erf, [x]) }
  /// `log|Gamma(x)|`.
  public func lgamma(_ x: NodeID) throws -> NodeID { try apply(.lgamma, [x]) }
  /// The polygamma function of `order` (0: digamma, 1: trigamma; no higher order).
  public func polygamma(_ x: NodeID, order: Int) throws -> NodeID {
    try apply(.polygamma(order: order), [x], name: order == 0 ? "digamma" : "polygamma")
  }

  // MARK: Elementwise, two operands (NumPy broadcasting)

  /// `a + b`
  public func add(_ a: NodeID, _ b: NodeID) throws -> NodeID { try binary(.add, a, b, "+") }
  /// `a - b`
  public func sub(_ a: NodeID, _ b: NodeID) throws -> NodeID { try binary(.sub, a, b, "-") }
  /// `a * b`
  public func mul(_ a: NodeID, _ b: NodeID) throws -> NodeID { try binary(.mul, a, b, "*") }
  /// `a / b`
  public func div(_ a: NodeID, _ b: NodeID) throws -> NodeID { try binary(.div, a, b, "/") }
  /// `a ^ b`
  public func pow(_ a: NodeID, _ b: NodeID) throws -> NodeID { try binary(.pow, a, b, "^") }
  /// Elementwise maximum.
  public func maximum(_ a: NodeID, _ b: NodeID) throws -> NodeID {
    try binary(.maximum, a, b, "max")
  }
  /// Elementwise minimum.
  public func minimum(_ a: NodeID, _ b: NodeID) throws -> NodeID {
    try binary(.minimum, a, b, "min")
  }
  /// `a < b` as 1 or 0.
  public func less(_ a: NodeID, _ b: NodeID) throws -> NodeID { try binary(.less, a, b, "<") }
  /// `a <= b` as 1 or 0.
  public func lessEqual(_ a: NodeID, _ b: NodeID) throws -> NodeID {
    try binary(.lessEqual, a, b, "<=")
  }
  /// `a > b` as 1 or 0.
  public func greater(_ a: NodeID, _ b: NodeID) throws -> NodeID { try binary(.greater, a, b, ">") }
  /// `a >= b` as 1 or 0.
  public func greaterEqual(_ a: NodeID, _ b: NodeID) throws -> NodeID {
    try binary(.greaterEqual, a, b, ">=")
  }
  /// `a == b` as 1 or 0.
  public func equal(_ a: NodeID, _ b: NodeID) throws -> NodeID { try binary(.equal, a, b, "==") }
  /// `a != b` as 1 or 0.
  public func notEqual(_ a: NodeID, _ b: NodeID) throws -> NodeID {
    try binary(.notEqual, a, b, "!=")
  }

  /// Applies a binary elementwise op after broadcasting both operands to a common shape.
  public func binary(_ op: Op, _ a: NodeID, _ b: NodeID, _ name: String) throws -> NodeID {
    let (ta, tb) = (type(a), type(b))
    guard ta.dtype == tb.dtype else {
      throw GraphError.dtypeMismatch(op: name, operands: [ta, tb])
    }
    guard let shape = ShapeRules.broadcastShape(ta.shape, tb.shape) else {
      throw GraphError.shapeMismatch(op: name, operands: [ta, tb])
    }
    try checkShape(shape)
    return try apply(op, [broadcast(a, to: shape), broadcast(b, to: shape)], name: name)
  }

  /// `where(cond, a, b)`: `a` where `cond` is non-zero, else `b`, all three broadcast together.
  public func select(_ cond: NodeID, _ a: NodeID, _ b: NodeID) throws -> NodeID {
    let types = [type(cond), type(a), type(b)]
    guard types.allSatisfy({ $0.dtype == types[0].dtype }) else {
      throw GraphError.dtypeMismatch(op: "where", operands: types)
    }
    guard let ab = ShapeRules.broadcastShape(types[1].shape, types[2].shape),
      let shape = ShapeRules.broadcastShape(types[0].shape, ab)
    else { throw GraphError.shapeMismatch(op: "where", operands: types) }
    try checkShape(shape)
    return try apply(
      .select, [broadcast(cond, to: shape), broadcast(a, to: shape), broadcast(b, to: shape)],
      name: "where")
  }

  /// Converts to another dtype.
  public func cast(_ x: NodeID, to dtype: DType) throws -> NodeID {
    try apply(.cast, [x], type: TensorType(dtype, type(x).shape))
  }

  // MARK: Shape

  /// Broadcasts `x` to `shape` under NumPy's rules (a no-op when the shape already matches).
  public func broadcast(_ x: NodeID, to shape: [Int]) throws -> NodeID {
    try apply(.broadcast, [x], type: type(x).with(shape: shape))
  }

  /// Reshapes `x`; one dimension may be -1 and is then inferred.
  public func reshape(_ x: NodeID, to shape: [Int]) throws -> NodeID {
    var shape = shape
    let t = type(x)
    if let hole = shape.firstIndex(of: -1) {
      var others = shape
      others[hole] = 1
      do { try checkShape(others) }  // so their product cannot overflow
      catch GraphError.tooLarge { throw GraphError.tooLarge(shape: shape) }
      let known = others.reduce(1, *)
      guard known > 0, t.count % known == 0, shape.filter({ $0 == -1 }).count == 1 else {
        throw GraphError.invalidOperand(op: "reshape", expected: "a shape with \(t.count) elements")
      }
      shape[hole] = t.count / known
    }
    try checkShape(shape)
    guard shape.reduce(1, *) == t.count else {
      throw GraphError.invalidOperand(
        op: "reshape",
        expected:
          "a shape with \(t.count) elements like \(t), got [\(shape.map(String.init).joined(separator: ", "))]"
      )
    }
    return try apply(.reshape, [x], type: t.with(shape: shape), name: "reshape")
  }

  /// Swaps the two axes of a matrix (vectors and scalars are returned unchanged).
  public func transpose(_ x: NodeID) throws -> NodeID {
    let rank = type(x).rank
    guard rank <= 2 else {
      throw GraphError.invalidOperand(op: "transpose", expected: "a 2-D tensor, got \(type(x))")
    }
    return rank == 2 ? try transpose(x, permutation: [1, 0]) : x
  }

  /// Each matrix of a stack transposed: the last two axes swapped.
  public func matrixTranspose(_ x: NodeID) throws -> NodeID {
    let rank = type(x).rank
    guard rank >= 2 else {
      throw GraphError.invalidOperand(
        op: "transpose", expected: "a stack of matrices, got \(type(x))")
    }
    return try transpose(x, permutation: Array(0..<rank - 2) + [rank - 1, rank - 2])
  }

  /// Permutes axes: result axis `k` is axis `permutation[k]` of `x`.
  public func transpose(_ x: NodeID, permutation: [Int]) throws -> NodeID {
    try apply(.transpose(permutation), [x], name: "transpose")
  }

  /// Elements `start[k] ..< end[k]` along every axis.
  public func slice(_ x: NodeID, start: [Int], end: [Int]) throws -> NodeID {
    try apply(.slice(start: start, end: end, step: start.map { _ in 1 }), [x], name: "slice")
  }

  /// Elements `start[k], start[k] + step[k], ...` along every axis, `count[k]` of them (all
  /// inside the axis; a negative step walks it backwards).
  public func slice(_ x: NodeID, start: [Int], step: [Int], count: [Int]) throws -> NodeID {
    guard start.count == step.count, start.count == count.count, !step.contains(0),
      !count.contains(where: { $0 < 0 })
    else {
      throw GraphError.invalidOperand(
        op: "slice", expected: "a non-zero step and a count for each axis")
    }
    // The canonical form of `Op.slice`: one element or none is taken with step 1.
    var (first, end, steps) = (start, start, step)
    for k in start.indices {
      if count[k] <= 1 {
        (first[k], steps[k]) = (count[k] == 0 ? 0 : start[k], 1)
        end[k] = first[k] + count[k]
      } else {
        end[k] = start[k] + (count[k] - 1) * step[k] + step[k].signum()
      }
    }
    return try apply(.slice(start: first, end: end, step: steps), [x], name: "slice")
  }

  /// Zero padding around `x`.
  public func pad(_ x: NodeID, low: [Int], high: [Int]) throws -> NodeID {
    try apply(.pad(low: low, high: high), [x], name: "pad")
  }

  /// Joins tensors along `axis` (negative counts from the end).
  public func concat(_ parts: [NodeID], axis: Int) throws -> NodeID {
    guard let first = parts.first else {
      throw GraphError.invalidOperand(op: "concat", expected: "at least one tensor")
    }
    let rank = type(first).rank
    guard rank > 0 else {
      throw GraphError.invalidOperand(op: "concat", expected: "tensors of rank 1 or more")
    }
    let a = try normalize(axis: axis, rank: rank, op: "concat")
    return parts.count == 1 ? first : try apply(.concat(axis: a), parts, name: "concat")
  }

  /// One entry of a NumPy basic index: a range `START:END:STEP` (bounds may be nil or
  /// negative, the step non-zero) or an integer.
  public enum Index: Hashable, Sendable {
    case range(Int?, Int?, step: Int = 1)
    case at(Int)
  }

  /// NumPy basic indexing: ranges keep their axis, integers drop it, missing trailing axes
  /// are taken whole. Out-of-range integers are an error; range bounds are clamped as in
  /// Python (`slice.indices`), and a step of zero is an error.
  public func index(_ x: NodeID, _ indices: [Index]) throws -> NodeID {
    let shape = type(x).shape
    guard indices.count <= shape.count else {
      throw GraphError.invalidOperand(
        op: "[]", expected: "at most \(shape.count) indices for \(type(x)), got \(indices.count)")
    }
    var start = [Int](repeating: 0, count: shape.count)
    var step = [Int](repeating: 1, count: shape.count)
    var count = shape
    var kept: [Int] = []
    for axis in shape.indices {
      let dim = shape[axis]
      let entry: Index = axis < indices.count ? indices[axis] : .range(nil, nil)
      switch entry {
      case .range(let lo, let hi, let s):
        guard s != 0 else {
          throw GraphError.invalidOperand(op: "[]", expected: "a non-zero slice step")
        }
        (start[axis], step[axis], count[axis]) = Self.pythonSlice(lo, hi, s, size: dim)
        kept.append(count[axis])
      case .at(let i):
        let j = i < 0 ? i + dim : i
        guard j >= 0, j < dim else {
          throw GraphError.invalidOperand(
            op: "[]", expected: "an index in \(-dim) ..< \(dim) on axis \(axis), got \(i)")
        }
        (start[axis], count[axis]) = (j, 1)
      }
    }
    let sliced = try slice(x, start: start, step: step, count: count)
    return kept.count == shape.count ? sliced : try reshape(sliced, to: kept)
  }

  /// Python's `slice(lo, hi, step).indices(size)` and the number of elements it takes: the
  /// first index, the step and the count. Missing bounds default to the whole axis in the
  /// step's direction; negative bounds count from the end; bounds outside the axis are
  /// clamped to just before its start or just past its end.
  static func pythonSlice(_ lo: Int?, _ hi: Int?, _ step: Int, size: Int) -> (Int, Int, Int) {
    func bound(_ v: Int?, _ fallback: Int) -> Int {
      guard let v else { return fallback }
      let shifted = v < 0 ? v + size : v
      if shifted < 0 { return step < 0 ? -1 : 0 }
      if shifted >= size { return step < 0 ? size - 1 : size }
      return shifted
    }
    let first = bound(lo, step < 0 ? size - 1 : 0)
    let stop = bound(hi, step < 0 ? -1 : size)
    // Steps beyond the axis take at most one element: clamp so the arithmetic cannot overflow.
    let s = Swift.max(Swift.min(step, size + 1), -(size + 1))
    let count =
      s > 0
      ? (stop > first ? (stop - first - 1) / s + 1 : 0)
      : (first > stop ? (first - stop - 1) / -s + 1 : 0)
    return (first, count <= 1 ? 1 : s, count)
  }

  // MARK: Reductions

  /// Sum over `axes` (nil: all axes; negative axes count from the end).
  public func sum(_ x: NodeID, axes: [Int]? = nil) throws -> NodeID {
    try apply(.sum(axes: reductionAxes(x, axes, "sum")), [x], name: "sum")
  }

  /// Largest element over `axes` (nil: all axes).
  public func reduceMax(_ x: NodeID, axes: [Int]? = nil) throws -> NodeID {
    try apply(.reduceMax(axes: reductionAxes(x, axes, "reduce_max")), [x], name: "reduce_max")
  }

  /// Mean over `axes` (nil: all axes).
  public func mean(_ x: NodeID, axes: [Int]? = nil) throws -> NodeID {
    let normalized = try reductionAxes(x, axes, "mean")
    let count = normalized.reduce(1) { $0 * type(x).shape[$1] }
    let total = try sum(x, axes: normalized)
    return try div(total, constant(Double(count), .scalar(type(x).dtype)))
  }

  /// Normalises an axis in `-rank ..< rank` to `0 ..< rank`.
  public func normalize(axis: Int, rank: Int, op: String) throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0, a < rank else { throw GraphError.badAxis(op: op, axis: axis, rank: rank) }
    return a
  }

  private func reductionAxes(_ x: NodeID, _ axes: [Int]?, _ op: String) throws -> [Int] {
    let rank = type(x).rank
    guard let axes else { return Array(0..<rank) }
    return Array(Set(try axes.map { try normalize(axis: $0, rank: rank, op: op) })).sorted()
  }

  /// Inclusive running sum along `axis` (negative counts from the end), same shape as `x`.
  public func cumsum(_ x: NodeID, axis: Int) throws -> NodeID {
    let a = try normalize(axis: axis, rank: type(x).rank, op: "cumsum")
    return try apply(.cumsum(axis: a, reverse: false), [x], name: "cumsum")
  }

  /// The sum of the float tensor `x` over every rank of a data-parallel run (see
  /// `Op.allreduce`); in one process, `x`.
  public func allreduce(_ x: NodeID) throws -> NodeID {
    try apply(.allreduce, [x], name: "allreduce")
  }

  // MARK: Matrix product

  /// `a @ b` with NumPy's `matmul` rules for 1-D and 2-D operands: a 1-D left operand is a
  /// row, a 1-D right operand a column, and the added axis is removed from the result.
  public func matmul(_ a: NodeID, _ b: NodeID) throws -> NodeID {
    let (ta, tb) = (type(a), type(b))
    guard ta.dtype == tb.dtype else { throw GraphError.dtypeMismatch(op: "@", operands: [ta, tb]) }
    guard ta.rank >= 1, tb.rank >= 1 else {
      throw GraphError.shapeMismatch(op: "@", operands: [ta, tb])
    }
    // A vector is a matrix of one row (left) or one column (right), removed afterwards.
    let a2 = ta.rank == 1 ? try reshape(a, to: [1] + ta.shape) : a
    let b2 = tb.rank == 1 ? try reshape(b, to: tb.shape + [1]) : b
    let (sa, sb) = (type(a2).shape, type(b2).shape)
    let (n, k, m) = (sa[sa.count - 2], sa[sa.count - 1], sb[sb.count - 1])
    guard k == sb[sb.count - 2],
      let batch = ShapeRules.broadcastShape(Array(sa.dropLast(2)), Array(sb.dropLast(2)))
    else { throw GraphError.shapeMismatch(op: "@", operands: [ta, tb]) }
    let product: NodeID
    if sb.count == 2 {
      // A stack times one matrix: one product of all the rows at once.
      let rows = try reshape(a2, to: [sa.dropLast().reduce(1, *), k])
      product = try reshape(apply(.matmul, [rows, b2], name: "@"), to: batch + [n, m])
    } else {
      let left = try broadcast(a2, to: batch + [n, k])
      let right = try broadcast(b2, to: batch + [k, m])
      product = try apply(.matmul, [left, right], name: "@")
    }
    var shape = batch
    if ta.rank > 1 { shape.append(n) }
    if tb.rank > 1 { shape.append(m) }
    return shape == type(product).shape ? product : try reshape(product, to: shape)
  }

  /// A scalar constant of `x`'s dtype.
  public func scalar(_ value: Double, like x: NodeID) -> NodeID {
    constant(value, .scalar(type(x).dtype))
  }
}

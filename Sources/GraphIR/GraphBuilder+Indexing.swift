/// Integer sequences and indexing: `arange`, `take` and its transpose, `one_hot`, `argmax`.
/// Indices are integer values; an index may be negative down to `-size` (counting from the
/// end, as NumPy), and one outside that range is a run-time error naming the caller.
extension GraphBuilder {
  /// `0, 1, ..., n-1` as `dtype` (i64 unless given).
  public func arange(_ n: Int, dtype: DType = .i64) throws -> NodeID {
    try iota(TensorType(dtype, [n]), axis: 0)
  }

  /// A tensor of `type` whose every element is its coordinate on `axis`.
  public func iota(_ type: TensorType, axis: Int) throws -> NodeID {
    try checkShape(type.shape)
    return try apply(.iota(axis: axis), [], type: type, name: "arange")
  }

  /// NumPy's `take(x, idx, axis)` (negative `axis` counts from the end): the slices of `x`
  /// at the indices `idx`, shaped `x.shape[..<axis] + idx.shape + x.shape[(axis+1)...]`.
  public func take(_ x: NodeID, _ idx: NodeID, axis: Int = 0, caller: IndexCaller = .take)
    throws -> NodeID
  {
    let a = try normalize(axis: axis, rank: type(x).rank, op: caller.rawValue)
    try checkShape(ShapeRules.takeShape(type(x).shape, type(idx).shape, axis: a))
    return try apply(.take(axis: a, caller: caller), [x, idx], name: caller.rawValue)
  }

  /// The transpose of `take`: a tensor of type `into`, zero except that each slice of `g`
  /// is added at its index on `axis` (`axis` in `0 ..< into.rank`).
  public func scatterAdd(
    _ g: NodeID, _ idx: NodeID, axis: Int, caller: IndexCaller, into: TensorType
  ) throws -> NodeID {
    try apply(.scatterAdd(axis: axis, caller: caller), [g, idx], type: into, name: caller.rawValue)
  }

  /// `one_hot(idx, n)`: shape `idx.shape + [n]`, 1 in `dtype` at each index (a negative index
  /// counts from the end), 0 elsewhere. Written as `take(arange(n), idx) == arange(n)`: the
  /// take checks and normalises the indices, the comparison spreads them.
  public func oneHot(
    _ idx: NodeID, _ n: Int, dtype: DType = .f64, caller: IndexCaller = .oneHot
  ) throws -> NodeID {
    let t = type(idx)
    guard t.dtype.isInteger else { throw GraphError.needsInteger(op: caller.rawValue, type: t) }
    guard n >= 1 else {
      throw GraphError.invalidOperand(op: caller.rawValue, expected: "a class count of 1 or more")
    }
    let shape = t.shape + [n]
    try checkShape(shape)
    let positions = try arange(n, dtype: t.dtype)
    let checked = try take(positions, idx, caller: caller)
    let classes = try iota(TensorType(t.dtype, shape), axis: t.rank)
    let hit = try equal(reshape(checked, to: t.shape + [1]), classes)
    return try cast(hit, to: dtype)
  }

  /// `argmax(x, axis)` as i64: the position of the first maximal element along `axis` (of a
  /// NaN, if there is one: NumPy's choice). Built from primitives: with `r = n-1 - position`,
  /// the first hit is the one with the largest `r`, so
  /// `argmax = n-1 - reduce_max(where(x == max(x) or x is NaN, r, -1))`. The positions are
  /// computed in `x`'s float dtype, exact for any axis a tensor can have in f64 and up to
  /// 2^24 elements in f32.
  public func argmax(_ x: NodeID, axis: Int) throws -> NodeID {
    let t = type(x)
    guard t.dtype.isFloat else { throw GraphError.needsFloat(op: "argmax", type: t) }
    let a = try normalize(axis: axis, rank: t.rank, op: "argmax")
    let n = t.shape[a]
    guard n > 0 else {
      throw GraphError.invalidOperand(op: "argmax", expected: "a non-empty axis \(axis), got \(t)")
    }
    var kept = t.shape
    kept[a] = 1
    let m = try reshape(reduceMax(x, axes: [a]), to: kept)
    let hit = try maximum(equal(x, m), notEqual(x, x))
    let last = scalar(Double(n - 1), like: x)
    let reversed = try sub(last, iota(t, axis: a))
    let best = try reduceMax(select(hit, reversed, scalar(-1, like: x)), axes: [a])
    return try cast(sub(last, best), to: .i64)
  }
}

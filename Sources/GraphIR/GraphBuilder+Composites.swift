/// Functions built from primitives, so their derivatives come from the primitives' rules.
extension GraphBuilder {
  /// `x * x`
  public func square(_ x: NodeID) throws -> NodeID { try mul(x, x) }

  /// `1 / (1 + exp(-x))`: exp overflows to inf for very negative x, giving exactly 0.
  public func sigmoid(_ x: NodeID) throws -> NodeID {
    let one = scalar(1, like: x)
    return try div(one, add(one, exp(neg(x))))
  }

  /// `x` where `x > 0`, else 0; the derivative at 0 is 0.
  public func relu(_ x: NodeID) throws -> NodeID {
    let zero = scalar(0, like: x)
    return try select(greater(x, zero), x, zero)
  }

  /// GELU in its exact form, `0.5 * x * (1 + erf(x / sqrt(2)))`, with the division written
  /// as a product with `1/sqrt(2)` (as PyTorch computes it).
  public func gelu(_ x: NodeID) throws -> NodeID {
    let erfPart = try erf(mul(x, scalar(0.5.squareRoot(), like: x)))
    return try mul(mul(scalar(0.5, like: x), x), add(scalar(1, like: x), erfPart))
  }

  /// `log(sum(exp(x), axis))`, computed as `m + log(sum(exp(x - m)))` with `m` the max, so
  /// it neither overflows nor underflows.
  public func logsumexp(_ x: NodeID, axis: Int) throws -> NodeID {
    let a = try normalize(axis: axis, rank: type(x).rank, op: "logsumexp")
    let (shifted, m) = try shiftByMax(x, axis: a)
    return try add(m, log(sum(exp(shifted), axes: [a])))
  }

  /// `exp(x) / sum(exp(x), axis)`, shifted by the max for stability.
  public func softmax(_ x: NodeID, axis: Int) throws -> NodeID {
    let a = try normalize(axis: axis, rank: type(x).rank, op: "softmax")
    let (shifted, _) = try shiftByMax(x, axis: a)
    let e = try exp(shifted)
    return try div(e, keepAxis(sum(e, axes: [a]), a, rank: type(x).rank))
  }

  /// `x - logsumexp(x, axis)`, shifted by the max for stability.
  public func logSoftmax(_ x: NodeID, axis: Int) throws -> NodeID {
    let a = try normalize(axis: axis, rank: type(x).rank, op: "log_softmax")
    let (shifted, _) = try shiftByMax(x, axis: a)
    let lse = try log(sum(exp(shifted), axes: [a]))
    return try sub(shifted, keepAxis(lse, a, rank: type(x).rank))
  }

  /// Mean over the batch of `-sum(onehot * log_softmax(logits, -1), -1)`.
  public func crossEntropy(logits: NodeID, onehot: NodeID) throws -> NodeID {
    guard type(logits).rank >= 1 else {
      throw GraphError.invalidOperand(
        op: "cross_entropy", expected: "logits of rank 1 or 2, got \(type(logits))")
    }
    guard type(logits).shape == type(onehot).shape else {
      throw GraphError.shapeMismatch(op: "cross_entropy", operands: [type(logits), type(onehot)])
    }
    let perExample = try neg(sum(mul(onehot, logSoftmax(logits, axis: -1)), axes: [-1]))
    return try mean(perExample)
  }

  /// `cross_entropy(logits, labels)` with integer labels of shape `logits.shape[..<last]`:
  /// the same as with `one_hot(labels, logits.shape.last)` in the logits' dtype (a label out
  /// of range is a run-time error naming `cross_entropy`).
  public func crossEntropy(logits: NodeID, labels: NodeID) throws -> NodeID {
    let (tl, ty) = (type(logits), type(labels))
    guard tl.rank >= 1, tl.dtype.isFloat else {
      throw GraphError.invalidOperand(
        op: "cross_entropy", expected: "float logits of rank 1 or more, got \(tl)")
    }
    guard ty.shape == Array(tl.shape.dropLast()) else {
      throw GraphError.shapeMismatch(op: "cross_entropy", operands: [tl, ty])
    }
    let classes = tl.shape[tl.rank - 1]
    let onehot = try oneHot(labels, classes, dtype: tl.dtype, caller: .crossEntropy)
    return try crossEntropy(logits: logits, onehot: onehot)
  }

  /// `x - max(x, axis)` (broadcast back) and the max itself.
  ///
  /// The results do not depend on the shift (`logsumexp(x) = m + log(sum(exp(x - m)))` for
  /// every `m`), so derivatives hold it constant (`stopGradient`): exact at every order, and
  /// no backward pass through the maximum whose contributions would only cancel.
  private func shiftByMax(_ x: NodeID, axis: Int) throws -> (NodeID, NodeID) {
    let m = try apply(.stopGradient, [try reduceMax(x, axes: [axis])])
    return (try sub(x, keepAxis(m, axis, rank: type(x).rank)), m)
  }

  /// Reinserts a reduced axis as size 1 so the result broadcasts against the original.
  private func keepAxis(_ reduced: NodeID, _ axis: Int, rank: Int) throws -> NodeID {
    var shape = type(reduced).shape
    shape.insert(1, at: axis)
    return try reshape(reduced, to: shape)
  }
}

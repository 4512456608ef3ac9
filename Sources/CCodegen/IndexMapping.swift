import GraphIR

/// Which element of a tensor a kernel reads in the current loop iteration.
///
/// `flat(e)` is a row-major offset; `multi(cs)` has one coordinate expression per axis.
/// Elementwise ops and `reshape` pass an offset straight through; broadcast, transpose,
/// slice, pad and concat need coordinates, which are recovered from an offset by division
/// and remainder, simplified away where the loop variables' ranges allow (see
/// `IndexExpression`). Two reads with equal `IndexMapping`s are the same element, which is
/// what kernels memoise on.
enum IndexMapping: Hashable {
  case flat(IndexExpression)
  case multi([IndexExpression])

  /// The loop over `0 ..< count` with variable `name`, as a flat offset.
  static func flat(_ name: String, count: Int) -> IndexMapping {
    .flat(.variable(name, extent: count))
  }

  /// The loop nest `i0, i1, ...` over `space`.
  /// An inner axis of length 1 has no loop: its coordinate is the constant 0.
  static func nest(_ prefix: String, _ space: [Int]) -> IndexMapping {
    .multi(
      space.indices.map {
        $0 > 0 && space[$0] == 1
          ? IndexExpression(0) : .variable("\(prefix)\($0)", extent: space[$0])
      })
  }

  /// Coordinates in a tensor of `shape`.
  func coordinates(in shape: [Int]) -> [IndexExpression] {
    switch self {
    case .multi(let cs): return cs
    case .flat(let offset):
      // An empty tensor is never read (its loops run zero times).
      if shape.contains(0) { return shape.map { _ in IndexExpression(0) } }
      let strides = contiguousStrides(shape)
      return shape.indices.map { axis in
        if shape[axis] == 1 { return IndexExpression(0) }
        let c = offset.divided(by: strides[axis])
        return axis > 0 ? c.remainder(shape[axis]) : c
      }
    }
  }

  /// The row-major offset in a tensor of `shape`.
  func offset(in shape: [Int]) -> IndexExpression {
    switch self {
    case .flat(let offset): return offset
    case .multi(let cs):
      let strides = contiguousStrides(shape)
      var total = IndexExpression(0)
      for axis in shape.indices where shape[axis] != 1 {
        total = total + cs[axis] * strides[axis]
      }
      return total
    }
  }

  /// The operand element a `broadcast` from `source` to `shape` reads (NumPy rules).
  func broadcast(from shape: [Int], to source: [Int]) -> IndexMapping {
    let cs = coordinates(in: shape)
    let lead = shape.count - source.count
    return .multi(source.indices.map { source[$0] == 1 ? IndexExpression(0) : cs[$0 + lead] })
  }

  /// The operand element a `transpose(perm)` reads: operand axis `perm[k]` is result axis `k`.
  func transpose(_ perm: [Int], shape: [Int]) -> IndexMapping {
    let cs = coordinates(in: shape)
    var source = [IndexExpression](repeating: IndexExpression(0), count: perm.count)
    for (k, axis) in perm.enumerated() { source[axis] = cs[k] }
    return .multi(source)
  }

  /// The operand element a `slice` from `start` by `step` reads: `start + c * step` per axis.
  func strided(_ start: [Int], _ step: [Int], shape: [Int]) -> IndexMapping {
    let cs = coordinates(in: shape)
    return .multi(cs.indices.map { cs[$0] * step[$0] + start[$0] })
  }

  /// The operand element a `pad` or shifted sum offset by `start` reads.
  func shifted(by start: [Int], shape: [Int]) -> IndexMapping {
    let cs = coordinates(in: shape)
    return .multi(zip(cs, start).map { c, s in c + s })
  }
}

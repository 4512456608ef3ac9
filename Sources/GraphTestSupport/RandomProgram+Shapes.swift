import Foundation

/// The productions that change shape: reductions, softmax, `@`, transpose, reshape, slices,
/// integer indices and concat; and views of a named value.
extension ProgramGenerator {
  /// `shape` with one size written as `-1` now and then, as a reshape argument.
  mutating func dimensions(_ shape: [Int]) -> String {
    var items = shape.map(String.init)
    if !items.isEmpty, chance(0.4) { items[pick(items.count)] = "-1" }
    return "[" + items.joined(separator: ", ") + "]"
  }

  /// Axis `k` of a rank-`rank` value, written from the front or from the end.
  mutating func axis(_ k: Int, of rank: Int) -> String {
    chance(0.6) ? "\(k)" : "\(k - rank)"
  }

  /// `sum`, `mean`, `reduce_max` or `logsumexp` down to `shape` (a scalar or a vector).
  mutating func reduction(_ shape: [Int], _ depth: Int) -> Expr? {
    switch shape.count {
    case 0:
      let source = pick(shapes)
      let x = expression(source, depth: depth)
      let n = Double(source.reduce(1, *))
      switch pick(source.isEmpty ? 2 : 5) {
      case 0: return .call("sum", [x], shape: [], bound: n * x.bound)
      case 1: return .call("mean", [x], shape: [], bound: x.bound, lower: x.lower)
      case 2: return .call("reduce_max", [x], shape: [], bound: x.bound)
      case 2 where source.count == 2 && chance(0.3):
        // Soft labels: any rows of probabilities.
        let labels = Expr.call(
          "softmax", [expression(source, depth: 0)], ["-1"], shape: source, bound: 1)
        return .call("cross_entropy", [x, labels], shape: [], bound: 2 * x.bound + 2)
      case 3 where source.count == 1:
        return .call(
          pick(["reduce_max", "sum"]), [x], [axis(0, of: 1)], shape: [], bound: n * x.bound)
      default:
        guard source.count == 1 else { return .call("sum", [x], shape: [], bound: n * x.bound) }
        return .call("logsumexp", [x], [axis(0, of: 1)], shape: [], bound: x.bound + 2)
      }
    case 1:
      // A matrix with `shape[0]` along one axis, reduced along the other.
      let other = pick([a, b])
      let keep = pick(2)
      let source = keep == 0 ? [shape[0], other] : [other, shape[0]]
      let x = expression(source, depth: depth)
      let ax = axis(1 - keep, of: 2)
      switch pick(4) {
      case 0: return .call("sum", [x], [ax], shape: shape, bound: Double(other) * x.bound)
      case 1: return .call("mean", [x], [ax], shape: shape, bound: x.bound, lower: x.lower)
      case 2: return .call("reduce_max", [x], [ax], shape: shape, bound: x.bound)
      default: return .call("logsumexp", [x], [ax], shape: shape, bound: x.bound + 2)
      }
    default:
      return nil
    }
  }

  /// `softmax` or `log_softmax` along one axis.
  mutating func softmax(_ shape: [Int], _ depth: Int) -> Expr {
    let x = expression(shape, depth: depth)
    let k = pick(shape.count)
    let n = Double(shape[k])
    if chance(0.5) {
      return .call(
        "softmax", [x], [axis(k, of: shape.count)], shape: shape, bound: 1,
        lower: x.bound <= 10 ? exp(-2 * x.bound) / n : nil)
    }
    return .call(
      "log_softmax", [x], [axis(k, of: shape.count)], shape: shape, bound: 2 * x.bound + 2)
  }

  /// `x @ y` of `shape`: vector·vector, matrix·vector, vector·matrix or matrix·matrix.
  mutating func matmul(_ shape: [Int], _ depth: Int) -> Expr {
    let k = pick([a, b])
    let (l, r): ([Int], [Int])
    switch shape.count {
    case 0: (l, r) = ([k], [k])
    case 1: (l, r) = chance(0.5) ? ([shape[0], k], [k]) : ([k], [k, shape[0]])
    default: (l, r) = ([shape[0], k], [k, shape[1]])
    }
    return .binary("@", expression(l, depth: depth), expression(r, depth: depth))
  }

  /// An `[r, c]` matrix through a rank-3 value: a matrix with an axis of size one inserted,
  /// broadcast against a matrix (`[r, 1, c] * [m, c]` is `[r, m, c]`) or a vector
  /// (`[r, c, 1] * [m]` is `[r, c, m]`), then reduced or indexed along the new axis.
  mutating func throughRank3(_ shape: [Int], _ depth: Int) -> Expr {
    let (r, c) = (shape[0], shape[1])
    let m = pick([a, b])
    let k = 1 + pick(2)  // where the new axis goes
    let x = expression(shape, depth: depth)
    let tall = Expr.call(
      "reshape", [x], [k == 1 ? "[\(r), 1, \(c)]" : "[\(r), \(c), 1]"],
      shape: k == 1 ? [r, 1, c] : [r, c, 1], bound: x.bound)
    let other = expression(k == 1 ? [m, c] : [m], depth: depth)
    let op = pick(["*", "+", "-"])
    var wide = Expr.binary(op, tall, other)
    wide.bound = op == "*" ? x.bound * other.bound : x.bound + other.bound
    let ax = axis(k, of: 3)
    switch pick(5) {
    case 0: return .call("sum", [wide], [ax], shape: shape, bound: Double(m) * wide.bound)
    case 1: return .call("mean", [wide], [ax], shape: shape, bound: wide.bound)
    case 2: return .call("reduce_max", [wide], [ax], shape: shape, bound: wide.bound)
    case 3: return .call("logsumexp", [wide], [ax], shape: shape, bound: wide.bound + 2)
    default:
      let entries = k == 1 ? [":", index(m)] : [":", ":", index(m)]
      return indexed(wide, entries, shape)
    }
  }

  /// `reshape` from a shape with as many elements (itself included), sometimes twice.
  mutating func reshape(_ shape: [Int], _ depth: Int) -> Expr {
    let count = shape.reduce(1, *)
    let source = pick(shapes.filter { $0.reduce(1, *) == count })
    var x = expression(source, depth: depth)
    if chance(0.25) {
      x = .call("reshape", [x], ["[-1]"], shape: [count], bound: x.bound, lower: x.lower)
    }
    return .call("reshape", [x], [dimensions(shape)], shape: shape, bound: x.bound, lower: x.lower)
  }

  /// `START:END` taking `length` elements from `start` of an axis of `size`: bounds written
  /// from the front, from the end, or left out.
  mutating func range(_ start: Int, _ length: Int, of size: Int) -> String {
    let end = start + length
    let from = start == 0 ? pick(["", "0", "\(-size)"]) : pick(["\(start)", "\(start - size)"])
    let to = end == size ? pick(["", "\(size)"]) : pick(["\(end)", "\(end - size)"])
    return "\(from):\(to)"
  }

  /// An integer index of an axis of `size`, from the front or from the end.
  mutating func index(_ size: Int) -> String {
    let i = pick(size)
    return chance(0.6) ? "\(i)" : "\(i - size)"
  }

  /// `x[...]` of `value`, giving `shape`.
  func indexed(_ x: Expr, _ entries: [String], _ shape: [Int]) -> Expr {
    Expr(
      text: "\(x.operand(.atom))[\(entries.joined(separator: ", "))]", level: .atom,
      shape: shape, bound: x.bound, lower: x.lower, roots: x.roots)
  }

  /// Slices and integer indices giving `shape`.
  mutating func slice(_ shape: [Int], _ depth: Int) -> Expr {
    switch shape.count {
    case 0:
      if chance(0.5) {
        let n = pick([a, b])
        return indexed(expression([n], depth: depth), [index(n)], [])
      }
      let (r, c) = (pick([a, b]), pick([a, b]))
      let x = expression([r, c], depth: depth)
      if chance(0.5) { return indexed(x, [index(r), index(c)], []) }
      return indexed(indexed(x, [index(r)], [c]), [index(c)], [])
    case 1:
      let n = shape[0]
      let other = pick([a, b])
      switch pick(4) {
      case 0:
        let row = chance(0.5) ? [index(other)] : [index(other), ":"]
        return indexed(expression([other, n], depth: depth), row, shape)
      case 1: return indexed(expression([n, other], depth: depth), [":", index(other)], shape)
      case 2 where other > n:
        let start = pick(other - n + 1)
        return indexed(expression([other], depth: depth), [range(start, n, of: other)], shape)
      default: return indexed(expression(shape, depth: depth), [range(0, n, of: n)], shape)
      }
    default:
      let (r, c) = (shape[0], shape[1])
      let (tall, wide) = (pick([a, b]), pick([a, b]))
      guard tall >= r, wide >= c else {
        return indexed(expression(shape, depth: depth), [":", range(0, c, of: c)], shape)
      }
      let x = expression([tall, wide], depth: depth)
      let rows = range(pick(tall - r + 1), r, of: tall)
      let columns = range(pick(wide - c + 1), c, of: wide)
      if wide == c, chance(0.5) { return indexed(x, [rows], shape) }
      return indexed(x, [rows, columns], shape)
    }
  }

  /// `length` elements of a vector: a whole vector of that size, or a slice of a longer one.
  mutating func vectorPart(_ length: Int, _ depth: Int) -> Expr {
    if isBuilt([length]), chance(0.5) { return expression([length], depth: depth) }
    let size = pick([a, b].filter { $0 >= length })
    let x = expression([size], depth: depth)
    return indexed(x, [range(pick(size - length + 1), length, of: size)], [length])
  }

  /// `count` consecutive rows (`axis` 0) or columns (`axis` 1) of an `[r, c]` matrix.
  mutating func matrixPart(_ count: Int, axis k: Int, of shape: [Int], _ depth: Int) -> Expr {
    var part = shape
    part[k] = count
    if isBuilt(part), chance(0.5) { return expression(part, depth: depth) }
    if count == 1, chance(0.3) {
      let x = expression([shape[1 - k]], depth: depth)
      return .call("reshape", [x], ["[\(part[0]), \(part[1])]"], shape: part, bound: x.bound)
    }
    let size = pick([a, b].filter { $0 >= count })
    var source = shape
    source[k] = size
    let x = expression(source, depth: depth)
    let taken = range(pick(size - count + 1), count, of: size)
    return indexed(x, k == 0 ? [taken] : [":", taken], part)
  }

  /// `concat(p, q, AXIS)` (or three parts) giving `shape`, along an axis of size 2 or more.
  mutating func concat(_ shape: [Int], _ depth: Int) -> Expr? {
    let axes = shape.indices.filter { shape[$0] >= 2 }
    guard !axes.isEmpty else { return nil }
    let k = pick(axes)
    let n = shape[k]
    var sizes = [1 + pick(n - 1)]
    sizes.append(n - sizes[0])
    if sizes[1] > 1, chance(0.3) {
      let first = 1 + pick(sizes[1] - 1)
      sizes = [sizes[0], first, sizes[1] - first]
    }
    let parts = sizes.map { size in
      shape.count == 1 ? vectorPart(size, depth) : matrixPart(size, axis: k, of: shape, depth)
    }
    // `sizes` has two or three parts.
    guard let bound = parts.map(\.bound).max() else { preconditionFailure("concat of no parts") }
    let lower = parts.allSatisfy { $0.lower != nil } ? parts.compactMap(\.lower).min() : nil
    return .call(
      "concat", parts, [axis(k, of: shape.count)], shape: shape, bound: bound, lower: lower)
  }

  /// A reshape, transpose, slice or integer index of the named value `x` (rank 1 or 2);
  /// the result may have a shape expressions are not otherwise built in.
  mutating func viewExpression(of x: Expr) -> Expr {
    let shape = x.shape
    let count = shape.reduce(1, *)
    switch pick(4) {
    case 0:
      var target = pick([[count], [1, count], [count, 1]])
      if shape.count == 2, chance(0.4) { target = pick([[1] + shape, [shape[0], 1, shape[1]]]) }
      return .call(
        "reshape", [x], [dimensions(target)], shape: target, bound: x.bound, lower: x.lower)
    case 1 where shape.count == 2:
      return .call("transpose", [x], shape: [shape[1], shape[0]], bound: x.bound, lower: x.lower)
    case 2:
      let n = shape[0]
      let length = 1 + pick(n)
      let taken = range(pick(n - length + 1), length, of: n)
      return indexed(x, [taken], [length] + shape.dropFirst())
    default:
      if shape.count == 2, chance(0.5) {
        return indexed(x, [":", index(shape[1])], [shape[0]])
      }
      return indexed(x, [index(shape[0])], Array(shape.dropFirst()))
    }
  }
}

import GraphIR

/// The vector-Jacobian product of one node: given the cotangent `g` of its result, the
/// cotangent of each operand, or nil for none (a symbolic zero).
///
/// `wants[i]` says whether operand `i` needs a cotangent; rules build nothing for the others.
/// One exhaustive switch in `Op` order; each case names the calculus rule it applies, which
/// is recorded on the backward nodes it builds (shown in the annotated C and the IR).
/// Conventions at kinks, documented where they apply:
/// `abs'(0) = 0`, `max`/`min` split ties ½ each, `reduce_max` splits equally among tied
/// maxima, `select` (and so `relu`) sends nothing through the branch not taken, and
/// d/de 0^e = 0 for e >= 0, d/da a^0 = 0.
func vjp(_ node: Node, _ z: NodeID, cotangent g: NodeID, wants: [Bool], in b: GraphBuilder)
  throws -> [NodeID?]
{
  let x = node.inputs.first ?? z
  let y = node.inputs.count > 1 ? node.inputs[1] : z
  func d(_ i: Int, _ rule: @autoclosure () throws -> NodeID) rethrows -> NodeID? {
    wants[i] ? try rule() : nil
  }
  func one(_ v: Double) -> NodeID { b.scalar(v, like: z) }

  let rule: (name: String, parts: () throws -> [NodeID?]) =
    switch node.op {
    case .input, .param, .constant: ("constant rule", { [] })
    case .neg: ("constant multiple rule", { try [d(0, b.neg(g))] })
    case .exp: ("chain rule through exp", { try [d(0, b.mul(g, z))] })
    case .log: ("chain rule through log", { try [d(0, b.div(g, x))] })
    case .sin: ("chain rule through sin", { try [d(0, b.mul(g, b.cos(x)))] })
    case .cos: ("chain rule through cos", { try [d(0, b.neg(b.mul(g, b.sin(x))))] })
    // tan' = 1 + tan², tanh' = 1 - tanh², both from the result.
    case .tan: ("chain rule through tan", { try [d(0, b.mul(g, b.add(one(1), b.mul(z, z))))] })
    case .tanh: ("chain rule through tanh", { try [d(0, b.mul(g, b.sub(one(1), b.mul(z, z))))] })
    case .sqrt: ("chain rule through sqrt", { try [d(0, b.div(g, b.mul(one(2), z)))] })
    case .abs: ("chain rule through abs (sign, 0 at 0)", { try [d(0, b.mul(g, sign(x, in: b)))] })
    case .erf: ("chain rule through erf", { try [d(0, b.mul(g, erfDerivative(x, in: b)))] })
    case .lgamma:
      ("chain rule through lgamma (digamma)", { try [d(0, b.mul(g, b.polygamma(x, order: 0)))] })
    case .polygamma(let order):
      (
        "chain rule through polygamma",
        { try [d(0, b.mul(g, polygammaDerivative(x, order: order, in: b)))] }
      )
    case .add: ("sum rule", { [d(0, g), d(1, g)] })
    case .sub: ("sum rule", { try [d(0, g), d(1, b.neg(g))] })
    case .mul: ("product rule", { try [d(0, b.mul(g, y)), d(1, b.mul(g, x))] })
    case .div:
      ("quotient rule", { try [d(0, b.div(g, y)), d(1, quotientDivisor(g, x, y, z, in: b))] })
    case .pow:
      (
        "power rule",
        { try [d(0, powerBase(g, x, y, in: b)), d(1, powerExponent(g, x, z, in: b))] }
      )
    case .maximum:
      (
        "max rule (ties split 1/2)",
        { try [d(0, b.mul(g, tieWeight(x, y, in: b))), d(1, b.mul(g, tieWeight(y, x, in: b)))] }
      )
    case .minimum:
      (
        "min rule (ties split 1/2)",
        { try [d(0, b.mul(g, tieWeight(y, x, in: b))), d(1, b.mul(g, tieWeight(x, y, in: b)))] }
      )
    case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual:
      ("comparison (zero derivative)", { [nil, nil] })
    case .stopGradient: ("held constant", { [nil] })
    case .select:
      (
        "piecewise rule (where)",
        {
          let zero = one(0)
          return try [
            nil, d(1, b.select(node.inputs[0], g, zero)), d(2, b.select(node.inputs[0], zero, g)),
          ]
        }
      )
    case .cast: ("cast back", { try [d(0, b.cast(g, to: b.type(x).dtype))] })
    case .broadcast:
      (
        "broadcast: sum over repeated axes",
        { try [d(0, unbroadcast(g, to: b.type(x).shape, in: b))] }
      )
    case .reshape: ("reshape back", { try [d(0, b.reshape(g, to: b.type(x).shape))] })
    case .transpose(let perm):
      ("transpose back", { try [d(0, b.transpose(g, permutation: inverse(perm)))] })
    case .slice(let start, let end, let step):
      ("slice: scatter into zeros", { try [d(0, sliceCotangent(g, x, start, end, step, in: b))] })
    case .pad(let low, _):
      (
        "pad: slice out",
        {
          let end = zip(low, b.type(x).shape).map { $0 + $1 }
          return try [d(0, b.slice(g, start: low, end: end))]
        }
      )
    case .window(let w):
      ("window: add back where taken", { try [d(0, b.apply(.windowSum(w), [g], type: b.type(x)))] })
    case .windowSum(let w):
      ("window sum: the windows again", { try [d(0, b.apply(.window(w), [g]))] })
    case .concat(let axis):
      ("concat: split", { try concatParts(g, node.inputs, axis: axis, wants: wants, in: b) })
    case .sum(let axes):
      ("sum: broadcast back", { try [d(0, expand(g, axes: axes, to: b.type(x).shape, in: b))] })
    case .reduceMax(let axes):
      ("max: to the maximum (ties split)", { try [d(0, maxCotangent(g, x, z, axes: axes, in: b))] })
    case .cumsum(let axis, let reverse):
      (
        "cumsum: cumsum from the other end",
        { try [d(0, b.apply(.cumsum(axis: axis, reverse: !reverse), [g]))] }
      )
    case .matmul:
      (
        "matrix product rule",
        {
          return try [
            d(0, b.apply(.matmul, [g, b.matrixTranspose(y)])),
            d(1, b.apply(.matmul, [b.matrixTranspose(x), g])),
          ]
        }
      )
    case .iota: ("constant rule", { [] })
    // take and scatterAdd are each other's transposes; the indices get no cotangent.
    case .take(let axis, let caller):
      (
        "take: scatter-add back",
        { try [d(0, b.scatterAdd(g, y, axis: axis, caller: caller, into: b.type(x))), nil] }
      )
    case .scatterAdd(let axis, let caller):
      ("scatter-add: take back", { try [d(0, b.take(g, y, axis: axis, caller: caller)), nil] })
    // Every rank's loss depends on every rank's operand through the total, so each operand's
    // cotangent is the total of the ranks' cotangents (in one process, `g` itself).
    case .allreduce: ("sum across ranks: sum the cotangents", { try [d(0, b.allreduce(g))] })
    }
  return try b.withRule(rule.name, rule.parts)
}

// d/dx erf(x) = 2/sqrt(pi) * exp(-x^2).
func erfDerivative(_ x: NodeID, in b: GraphBuilder) throws -> NodeID {
  let scale = b.scalar(2 / Double.pi.squareRoot(), like: x)
  return try b.mul(scale, b.exp(b.neg(b.mul(x, x))))
}

// d/dx polygamma(n, x) = polygamma(n + 1, x). Only digamma and trigamma exist, so lgamma can
// be differentiated twice (and digamma once); one more order is an error, never a wrong value.
func polygammaDerivative(_ x: NodeID, order: Int, in b: GraphBuilder) throws -> NodeID {
  guard order == 0 else {
    throw GraphError.noDerivative(
      function: "trigamma",
      reason: "lgamma can be differentiated at most twice, and digamma once")
  }
  return try b.polygamma(x, order: 1)
}

// A slice's cotangent: each element of `g` goes back to the operand element it was read from,
// zeros elsewhere. With step 1 that is a pad. Otherwise, per axis: reverse `g` where the step
// is negative (so the elements taken run upwards from the lowest, `first`), space them `s`
// apart by pairing each with `s - 1` zeros (reshape to [.., c, 1, ..], pad to [.., c, s, ..],
// reshape to [.., c*s, ..]) and cut the trailing zeros after the last, then pad with `first`
// zeros before and the rest of the axis after. Only reshape, pad and slice: their own rules
// give every higher derivative.
private func sliceCotangent(
  _ g: NodeID, _ x: NodeID, _ start: [Int], _ end: [Int], _ step: [Int], in b: GraphBuilder
) throws -> NodeID {
  let shape = b.type(x).shape
  if step.allSatisfy({ $0 == 1 }) {
    return try b.pad(g, low: start, high: zip(shape, end).map { $0 - $1 })
  }
  let count = b.type(g).shape
  let rank = shape.count
  let stride = step.map { Swift.abs($0) }
  // The lowest operand index taken on each axis (0 for an empty axis).
  let first = (0..<rank).map {
    count[$0] == 0 ? 0 : min(start[$0], start[$0] + (count[$0] - 1) * step[$0])
  }
  var upwards = g
  if step.contains(where: { $0 < 0 }) {
    let reversed = step.map { $0 < 0 }
    upwards = try b.slice(
      g, start: (0..<rank).map { reversed[$0] ? count[$0] - 1 : 0 },
      step: reversed.map { $0 ? -1 : 1 }, count: count)
  }
  var paired: [Int] = []
  for k in 0..<rank { paired += [count[k], 1] }
  var spaced = try b.reshape(upwards, to: paired)
  spaced = try b.pad(
    spaced, low: [Int](repeating: 0, count: 2 * rank),
    high: (0..<(2 * rank)).map { $0 % 2 == 1 ? stride[$0 / 2] - 1 : 0 })
  spaced = try b.reshape(spaced, to: (0..<rank).map { count[$0] * stride[$0] })
  let span = (0..<rank).map { count[$0] == 0 ? 0 : (count[$0] - 1) * stride[$0] + 1 }
  spaced = try b.slice(spaced, start: [Int](repeating: 0, count: rank), end: span)
  return try b.pad(
    spaced, low: first, high: (0..<rank).map { shape[$0] - first[$0] - span[$0] })
}

// d/dx |x| = sign(x) = (x > 0) - (x < 0): 0 at 0 (and at NaN).
func sign(_ x: NodeID, in b: GraphBuilder) throws -> NodeID {
  let zero = b.scalar(0, like: x)
  return try b.sub(b.greater(x, zero), b.less(x, zero))
}

// d/db (a / b) = -a / b², written so that x^2 shows in the printed derivative. For the
// numerator 1 (reciprocals, and so sigmoid = 1/(1 + exp(-x))) it is -z² with z = 1/b
// already computed: no second division, which is what a vectorised loop pays most for.
private func quotientDivisor(
  _ g: NodeID, _ a: NodeID, _ b2: NodeID, _ z: NodeID, in b: GraphBuilder
)
  throws -> NodeID
{
  if b[a].op.constantValue == 1 { return try b.neg(b.mul(g, b.mul(z, z))) }
  return try b.neg(b.div(b.mul(g, a), b.mul(b2, b2)))
}

// d/da a^e = e * a^(e-1); the exponent e - 1 folds to a constant when e is one. Where
// e = 0 it is 0 (a^0 = 1 for every a), not 0 * 0^-1 = NaN at a = 0, as in PyTorch and JAX;
// the test folds away when e is a constant.
func powerBase(_ g: NodeID, _ a: NodeID, _ e: NodeID, in b: GraphBuilder) throws -> NodeID {
  let zero = b.scalar(0, like: e)
  let lowered = try b.pow(a, b.sub(e, b.scalar(1, like: e)))
  return try b.mul(g, b.select(b.equal(e, zero), zero, b.mul(e, lowered)))
}

// d/de a^e = a^e log(a), with log(a) taken as 0 where a = 0 (as JAX does): 0^e is 0 for
// every e > 0, so its derivative there is 0, not 0 * log(0) = 0 * -inf = NaN (0 at e = 0
// too, PyTorch's and JAX's value; where e < 0 the power is infinite and the product NaN).
func powerExponent(_ g: NodeID, _ a: NodeID, _ z: NodeID, in b: GraphBuilder) throws -> NodeID {
  let zero = b.scalar(0, like: a)
  let logA = try b.select(b.equal(a, zero), zero, b.log(a))
  return try b.mul(b.mul(g, logA), z)
}

// d/da max(a, b) = 1 where a > b, ½ where a == b, 0 elsewhere (also d/db min(a, b), swapped):
// (a > b) + ½ (a == b). Ties split evenly, so max(x, x) has derivative 1, as it should.
func tieWeight(_ a: NodeID, _ other: NodeID, in b: GraphBuilder) throws -> NodeID {
  let half = b.scalar(0.5, like: a)
  return try b.add(b.greater(a, other), b.mul(half, b.equal(a, other)))
}

/// The permutation that undoes `perm`.
func inverse(_ perm: [Int]) -> [Int] {
  var result = perm
  for (k, axis) in perm.enumerated() { result[axis] = k }
  return result
}

// concat's cotangent is cut back into the parts' slices along `axis`.
private func concatParts(
  _ g: NodeID, _ parts: [NodeID], axis: Int, wants: [Bool], in b: GraphBuilder
) throws -> [NodeID?] {
  var offset = 0
  var result: [NodeID?] = []
  for (part, wanted) in zip(parts, wants) {
    let shape = b.type(part).shape
    var start = [Int](repeating: 0, count: shape.count)
    var end = b.type(g).shape
    start[axis] = offset
    end[axis] = offset + shape[axis]
    offset += shape[axis]
    result.append(wanted ? try b.slice(g, start: start, end: end) : nil)
  }
  return result
}

// d/dx max over axes: the cotangent goes to the maxima, split equally among ties:
// g * (x == m) / count(x == m), with m and the count broadcast back over `axes`.
private func maxCotangent(_ g: NodeID, _ x: NodeID, _ m: NodeID, axes: [Int], in b: GraphBuilder)
  throws -> NodeID
{
  let shape = b.type(x).shape
  let isMax = try b.equal(x, expand(m, axes: axes, to: shape, in: b))
  let share = try b.div(g, b.sum(isMax, axes: axes))
  return try b.mul(expand(share, axes: axes, to: shape, in: b), isMax)
}

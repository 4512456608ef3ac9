import GraphIR

/// `f = sum(tanh(0.7*x + 0.3) * sigmoid(x))` and its gradient written out by hand,
/// `df = 0.7*(1 - t^2)*s + t*s*(1 - s)` with `t = tanh(0.7x + 0.3)`, `s = sigmoid(x)`: the
/// fused-loop showcase, built without autodiff so codegen can be tested on its own.
/// Adds input `x` of `count` elements and outputs `f`, `df` to `b`.
public func buildLossAndGradient(_ b: GraphBuilder, _ dtype: DType, count: Int) throws {
  let x = try b.input("x", TensorType(dtype, [count]))
  let u = try b.add(try b.mul(x, b.scalar(0.7, like: x)), b.scalar(0.3, like: x))
  let th = try b.tanh(u)
  let sg = try b.sigmoid(x)
  b.output("f", try b.sum(try b.mul(th, sg)))
  let one = b.scalar(1, like: x)
  let dth = try b.mul(try b.sub(one, try b.mul(th, th)), b.scalar(0.7, like: x))
  let dsg = try b.mul(sg, try b.sub(one, sg))
  b.output("df", try b.add(try b.mul(dth, sg), try b.mul(th, dsg)))
}

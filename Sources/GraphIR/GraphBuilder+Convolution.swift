/// Convolution and pooling, built from primitive ops (`window`, transpose, reshape, a matrix
/// product, reductions, select), so their derivatives of every order come from the
/// primitives' rules.
extension GraphBuilder {
  /// The window element `(kh, kw)` of every window: `windows[..., kh, kw, :, :]`.
  private func windowElements(_ windows: NodeID) throws -> [NodeID] {
    let shape = type(windows).shape
    let r = shape.count
    let (kh, kw) = (shape[r - 4], shape[r - 3])
    var parts: [NodeID] = []
    for a in 0..<kh {
      for b in 0..<kw {
        var start = [Int](repeating: 0, count: r)
        var end = shape
        (start[r - 4], start[r - 3], end[r - 4], end[r - 3]) = (a, b, a + 1, b + 1)
        let element = try slice(windows, start: start, end: end)
        parts.append(try reshape(element, to: Array(shape.prefix(r - 4)) + shape.suffix(2)))
      }
    }
    return parts
  }

  /// The windows of `x`'s last two axes (`[..., KH, KW, OH, OW]`), or an error naming `op`
  /// and the dimension where they do not fit (`part` names the window: "kernel", "window").
  private func windows(_ op: String, _ x: NodeID, _ window: Window, part: String) throws
    -> NodeID
  {
    let shape = type(x).shape
    for k in 0..<2 {
      let (stride, dilation) = (window.stride[k], window.dilation[k])
      guard stride >= 1, dilation >= 1 else {
        throw GraphError.invalidOperand(
          op: op, expected: "strides and dilations of 1 or more, got \(stride) and \(dilation)")
      }
      let extent = shape[shape.count - 2 + k]
      guard window.count(extent, k) == nil else { continue }
      let span = window.span(k).map(String.init) ?? "beyond \(Int.max)"
      let dimension = "\(part) \(k == 0 ? "height" : "width") \(window.kernel[k])"
      throw GraphError.invalidOperand(
        op: op, expected: "a window that fits: \(dimension) (span \(span)) on an axis of \(extent)")
    }
    return try apply(.window(window), [x], name: op)
  }

  /// PyTorch's `conv2d` without bias or groups: `x` `[N, C, H, W]`, `w` `[O, C, KH, KW]`, the
  /// result `[N, O, H', W']` with `H' = (H + 2 ph - dh (KH - 1) - 1) / sh + 1`.
  ///
  /// Lowered as im2col: the windows of the padded input (`window`, an index-only op) become
  /// the rows of an `[N H' W', C KH KW]` matrix (one gather kernel), multiplied by the
  /// weights as a `[C KH KW, O]` matrix in one BLAS call; the gradients are a second product
  /// and `windowSum` (col2im: each input element adds up the window elements taken from it,
  /// one kernel that reads them in place).
  public func conv2d(
    _ x: NodeID, _ w: NodeID, stride: [Int] = [1, 1], padding: [Int] = [0, 0],
    dilation: [Int] = [1, 1]
  ) throws -> NodeID {
    let (tx, tw) = (type(x), type(w))
    guard tx.dtype == tw.dtype else {
      throw GraphError.dtypeMismatch(op: "conv2d", operands: [tx, tw])
    }
    guard tx.rank == 4, tw.rank == 4 else {
      throw GraphError.invalidOperand(
        op: "conv2d", expected: "x as [N, C, H, W] and w as [O, C, KH, KW], got \(tx) and \(tw)")
    }
    guard tx.shape[1] == tw.shape[1] else {
      throw GraphError.invalidOperand(
        op: "conv2d",
        expected:
          "as many channels in w as in x: x \(tx) has \(tx.shape[1]), w \(tw) has \(tw.shape[1])")
    }
    guard stride.count == 2, padding.count == 2, dilation.count == 2,
      stride.allSatisfy({ $0 >= 1 }), dilation.allSatisfy({ $0 >= 1 }),
      padding.allSatisfy({ $0 >= 0 })
    else {
      throw GraphError.invalidOperand(
        op: "conv2d", expected: "strides and dilations of 1 or more, paddings of 0 or more")
    }
    let (n, c) = (tx.shape[0], tx.shape[1])
    let (o, kh, kw) = (tw.shape[0], tw.shape[2], tw.shape[3])
    let padded =
      padding == [0, 0]
      ? x : try pad(x, low: [0, 0, padding[0], padding[1]], high: [0, 0, padding[0], padding[1]])
    let window = Window(kernel: [kh, kw], stride: stride, dilation: dilation)
    let windows = try self.windows("conv2d", padded, window, part: "kernel")
    let (oh, ow) = (type(windows).shape[4], type(windows).shape[5])  // [N, C, KH, KW, OH, OW]
    let rows = try reshape(
      transpose(windows, permutation: [0, 4, 5, 1, 2, 3]), to: [n * oh * ow, c * kh * kw])
    let weights = try reshape(w, to: [o, c * kh * kw])
    let product = try matmul(rows, try transpose(weights))  // [N OH OW, O]
    return try transpose(reshape(product, to: [n, oh, ow, o]), permutation: [0, 3, 1, 2])
  }

  /// The windows of `x`'s last two axes (rank 2 or more), `kernel` by `kernel` moved by
  /// `stride` (windows that do not fit are dropped): `[..., KH, KW, OH, OW]`.
  private func poolWindows(_ op: String, _ x: NodeID, kernel: [Int], stride: [Int]) throws
    -> NodeID
  {
    let t = type(x)
    guard t.rank >= 2 else {
      throw GraphError.invalidOperand(op: op, expected: "a tensor of rank 2 or more, got \(t)")
    }
    guard t.dtype.isFloat else { throw GraphError.needsFloat(op: op, type: t) }
    guard kernel.count == 2, stride.count == 2 else {
      throw GraphError.invalidOperand(op: op, expected: "a window and a stride of two sizes")
    }
    return try windows(
      op, x, Window(kernel: kernel, stride: stride, dilation: [1, 1]), part: "window")
  }

  /// The mean of each window of the last two axes.
  public func avgPool2d(_ x: NodeID, kernel: [Int], stride: [Int]? = nil) throws -> NodeID {
    let windows = try poolWindows("avg_pool2d", x, kernel: kernel, stride: stride ?? kernel)
    let lead = type(x).rank - 2
    let total = try sum(windows, axes: [lead, lead + 1])
    return try div(total, scalar(Double(kernel[0] * kernel[1]), like: total))
  }

  /// The maximum of each window of the last two axes. Its gradient goes to the first maximal
  /// element of each window in row-major order (PyTorch's choice): the result is a chain of
  /// `select`s on `element == maximum`, first window element outermost; a window whose
  /// maximum is NaN gives NaN (and no gradient).
  ///
  /// The maximum itself is an elementwise `maximum` chain over the window's elements (NaN if
  /// any is), so it fuses into the loop that chooses the element instead of being a
  /// reduction kernel of its own, and it is held constant (`stopGradient`): it is only
  /// compared with, and the chain's last resort, taken only for a NaN window. So the
  /// derivatives, of every order, are those of the chosen element.
  public func maxPool2d(_ x: NodeID, kernel: [Int], stride: [Int]? = nil) throws -> NodeID {
    let windows = try poolWindows("max_pool2d", x, kernel: kernel, stride: stride ?? kernel)
    let parts = try windowElements(windows)
    var largest = parts[0]
    for part in parts.dropFirst() { largest = try maximum(largest, part) }
    let held = try apply(.stopGradient, [largest])
    var result = held
    for part in parts.reversed() {
      result = try select(equal(part, held), part, result)
    }
    return result
  }
}

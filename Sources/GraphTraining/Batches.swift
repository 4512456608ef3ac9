import GraphIR

/// Examples stored as tensors whose first axis indexes the example.
public struct Dataset: Sendable {
  /// Tensors by the input name they bind to; all share the first dimension.
  public var tensors: [String: Tensor]

  /// Checks that every tensor has at least one axis and the same number of examples.
  public init(_ tensors: [String: Tensor]) throws {
    let counts = Set(tensors.values.map { $0.shape.first ?? -1 })
    guard counts.count <= 1, !counts.contains(-1) else {
      let shapes = tensors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.type)" }
      throw GraphError.invalidOperand(
        op: "dataset",
        expected: "tensors with the same first dimension, got \(shapes.joined(separator: ", "))")
    }
    self.tensors = tensors
  }

  /// Number of examples.
  public var count: Int { tensors.values.first?.shape.first ?? 0 }

  /// The examples at `rows`, in that order, as one batch.
  public func batch(_ rows: [Int]) -> [String: Tensor] {
    tensors.mapValues { gatherRows($0, rows) }
  }

  /// Minibatches of `size` covering every example once per epoch, in an order shuffled by
  /// `seed` and `epoch` (the last, shorter batch is dropped when `dropLast`).
  public func batches(size: Int, seed: UInt64, epoch: Int, dropLast: Bool = true) -> [[Int]] {
    var order = Array(0..<count)
    var rng = SeededGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)
    order.shuffle(using: &rng)
    var result: [[Int]] = []
    var start = 0
    while start < order.count {
      let end = min(start + size, order.count)
      if end - start == size || !dropLast { result.append(Array(order[start..<end])) }
      start = end
    }
    return result
  }
}

/// Rows of a tensor, along its first axis.
public func gatherRows(_ tensor: Tensor, _ rows: [Int]) -> Tensor {
  let width = tensor.shape.dropFirst().reduce(1, *)
  var scalars: [Double] = []
  scalars.reserveCapacity(rows.count * width)
  for row in rows { scalars.append(contentsOf: tensor.scalars[row * width..<(row + 1) * width]) }
  return Tensor(tensor.dtype, shape: [rows.count] + tensor.shape.dropFirst(), scalars: scalars)
}

/// One-hot rows for integer class labels: `[n]` labels to `[n, classes]`.
public func oneHot(_ labels: [Double], classes: Int, dtype: DType = .f32) throws -> Tensor {
  var scalars = [Double](repeating: 0, count: labels.count * classes)
  for (i, label) in labels.enumerated() {
    guard label >= 0, label < Double(classes), label == label.rounded() else {
      throw GraphError.invalidOperand(
        op: "one_hot", expected: "labels in 0..<\(classes), got \(label) at \(i)")
    }
    scalars[i * classes + Int(label)] = 1
  }
  return Tensor(dtype, shape: [labels.count, classes], scalars: scalars)
}

/// Writes rows of `tensor` (along its first axis) into a dense buffer of the tensor's dtype,
/// converting straight from the stored values: no intermediate tensor per batch.
func writeRows(_ tensor: Tensor, _ rows: [Int], into buffer: UnsafeMutableRawBufferPointer) {
  let width = tensor.shape.dropFirst().reduce(1, *)
  precondition(buffer.count >= rows.count * width * tensor.dtype.byteSize, "batch buffer too small")
  tensor.scalars.withUnsafeBufferPointer { source in
    switch tensor.dtype {
    case .f32:
      let target = buffer.bindMemory(to: Float.self)
      for (k, row) in rows.enumerated() {
        for j in 0..<width { target[k * width + j] = Float(source[row * width + j]) }
      }
    case .f64:
      let target = buffer.bindMemory(to: Double.self)
      for (k, row) in rows.enumerated() {
        for j in 0..<width { target[k * width + j] = source[row * width + j] }
      }
    case .i32:
      let target = buffer.bindMemory(to: Int32.self)
      for (k, row) in rows.enumerated() {
        for j in 0..<width { target[k * width + j] = Int32(source[row * width + j]) }
      }
    case .i64:
      let target = buffer.bindMemory(to: Int64.self)
      for (k, row) in rows.enumerated() {
        for j in 0..<width { target[k * width + j] = Int64(source[row * width + j]) }
      }
    }
  }
}

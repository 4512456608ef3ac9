import GraphIR
import Testing

/// Integer dtypes and the indexing ops in the builder and the interpreter: result types,
/// the type errors as text, and values on small hand-made tensors.
@Suite struct IndexingTests {
  /// `take`'s result shape is `x.shape[..<axis] + idx.shape + x.shape[(axis+1)...]`.
  @Test(arguments: [
    ([5, 3], [2, 4], 0, [2, 4, 3]),
    ([5, 3], [2, 4], 1, [5, 2, 4]),
    ([5, 3], [2, 4], -1, [5, 2, 4]),
    ([2, 4, 3], [7], -2, [2, 7, 3]),
    ([5], [], 0, []),
    ([5, 3], [0], 0, [0, 3]),
  ])
  func takeShape(x: [Int], idx: [Int], axis: Int, result: [Int]) throws {
    let b = GraphBuilder()
    let t = try b.take(
      b.input("x", TensorType(.f32, x)), b.input("i", TensorType(.i32, idx)), axis: axis)
    #expect(b.type(t) == TensorType(.f32, result))
  }

  @Test func integerTypes() throws {
    let b = GraphBuilder()
    let k = try b.input("k", TensorType(.i64, [3]))
    let x = try b.input("x", TensorType(.f64, [2, 3]))
    #expect(b.type(try b.less(k, k)) == TensorType(.i64, [3]))
    #expect(b.type(try b.sum(try b.mul(k, k))) == .scalar(.i64))
    #expect(b.type(try b.arange(4)) == TensorType(.i64, [4]))
    #expect(b.type(try b.argmax(x, axis: -1)) == TensorType(.i64, [2]))
    #expect(b.type(try b.oneHot(k, 5, dtype: .f32)) == TensorType(.f32, [3, 5]))
    #expect(b.type(try b.crossEntropy(logits: x, labels: b.arange(2))) == .scalar(.f64))
  }

  /// The type errors, as their messages.
  @Test func typeErrorMessages() throws {
    let b = GraphBuilder()
    let k = try b.input("k", TensorType(.i64, [3]))
    let x = try b.input("x", TensorType(.f64, [3]))
    let cases: [(() throws -> NodeID, String)] = [
      (
        { try b.add(x, k) },
        "dtype mismatch in '+': f64[3] + i64[3] (integer and float values do not mix: "
          + "convert one with f32(), f64(), i32() or i64())"
      ),
      (
        { try b.exp(k) },
        "'exp' needs a float value (f32 or f64), got i64[3]; convert it with f64() or f32()"
      ),
      (
        { try b.div(k, k) },
        "'/' needs a float value (f32 or f64), got i64[3]; convert it with f64() or f32()"
      ),
      (
        { try b.reduceMax(k) },
        "'reduce_max' needs a float value (f32 or f64), got i64[3]; convert it with f64() or f32()"
      ),
      (
        { try b.take(x, x) },
        "'take' needs integer indices (i32 or i64), got f64[3]; convert them with i64()"
      ),
      (
        { try b.oneHot(x, 3) },
        "'one_hot' needs integer indices (i32 or i64), got f64[3]; convert them with i64()"
      ),
      (
        { try b.argmax(k, axis: 0) },
        "'argmax' needs a float value (f32 or f64), got i64[3]; convert it with f64() or f32()"
      ),
      (
        { try b.take(x, k, axis: 1) },
        "axis 1 is out of range in 'take' for a tensor of rank 1 (expected -1 to 0)"
      ),
    ]
    for (build, message) in cases {
      do {
        _ = try build()
        Issue.record("no error for: \(message)")
      } catch {
        #expect("\(error)" == message)
      }
    }
  }

  /// Values: NumPy semantics, negative indices, repeated indices adding up in the transpose.
  @Test func interpreterValues() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f64, [3, 2]))
    let idx = try b.input("idx", TensorType(.i64, [4]))
    let t0 = try b.take(x, idx)
    let back = try b.scatterAdd(
      t0, idx, axis: 0, caller: .take, into: TensorType(.f64, [3, 2]))
    b.output("t0", t0)
    b.output("back", back)
    b.output("iota", try b.iota(TensorType(.i32, [2, 3]), axis: 1))
    b.output("hot", try b.oneHot(idx, 3))
    let out = try Interpreter.run(
      b.graph,
      [
        "x": Tensor(.f64, shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]),
        "idx": Tensor(.i64, shape: [4], scalars: [2, -1, 0, -3]),
      ])
    #expect(out["t0"]?.scalars == [5, 6, 5, 6, 1, 2, 1, 2])
    #expect(out["back"]?.scalars == [2, 4, 0, 0, 10, 12])
    #expect(out["iota"] == Tensor(.i32, shape: [2, 3], scalars: [0, 1, 2, 0, 1, 2]))
    #expect(out["hot"]?.scalars == [0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0])
  }

  /// argmax picks the first maximum, and the first NaN when there is one (as NumPy).
  @Test func argmaxTiesAndNaN() throws {
    let b = GraphBuilder()
    let x = try b.input("x", TensorType(.f32, [3, 4]))
    b.output("k", try b.argmax(x, axis: 1))
    let out = try Interpreter.run(
      b.graph,
      [
        "x": Tensor(
          .f32, shape: [3, 4],
          scalars: [1, 7, 7, 0, -.infinity, -.infinity, -5, -5, 2, .nan, 9, .nan])
      ])
    #expect(out["k"] == Tensor(.i64, shape: [3], scalars: [1, 2, 1]))
  }

  /// Integer rounding follows C: toward zero, i32 wrapping modulo 2^32.
  @Test func integerRounding() {
    #expect(DType.i64.round(-2.7) == -2)
    #expect(DType.i32.round(2_147_483_648) == -2_147_483_648)
    #expect(Tensor(.i32, shape: [2], scalars: [1.9, -1.9]).scalars == [1, -1])
  }
}

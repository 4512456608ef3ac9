import GraphIR
import Testing

/// The caller's input mistakes: one error type, its messages as text.
@Suite struct InputErrorTests {
  @Test(arguments: [
    (InputError.missing(["x", "z"]), "missing value for 'x', 'z'"),
    (InputError.unknown(["w"]), "no input or param named 'w'"),
    (
      InputError.wrongShape(name: "x", expected: TensorType(.f32, [2, 3]), got: [3, 2]),
      "'x' expects f32[2,3], got shape [3, 2]"
    ),
  ])
  func messages(_ error: InputError, _ message: String) {
    #expect(error.description == message)
  }

  /// The interpreter reports the same mistakes as a compiled graph, with the same error
  /// (names it does not use are ignored; a param with a constant initialiser needs no value).
  @Test func interpreterThrowsInputError() throws {
    let b = GraphBuilder()
    let x = try b.input("x", .scalar(.f64))
    let y = try b.input("y", .scalar(.f64))
    let w = try b.param("w", .scalar(.f64), initializer: .fill(2))
    let r = try b.param("r", .scalar(.f64), initializer: .normal(std: 1))
    b.output("s", try b.add(try b.add(x, y), try b.mul(w, r)))
    #expect(throws: InputError.missing(["x", "r"])) {
      try Interpreter.run(b.graph, ["y": Tensor(1.0), "unused": Tensor(1.0)])
    }
    #expect(throws: InputError.wrongShape(name: "x", expected: .scalar(.f64), got: [2])) {
      try Interpreter.run(
        b.graph, ["x": Tensor(.f64, shape: [2], scalars: [1, 2]), "y": Tensor(1), "r": Tensor(1)])
    }
    let out = try Interpreter.run(b.graph, ["x": Tensor(1), "y": Tensor(2), "r": Tensor(5)])
    #expect(out["s"] == Tensor(13))
  }
}

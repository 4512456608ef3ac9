import GraphIR
import GraphLanguage
import Testing

/// The mistakes with integers and indices, with the exact located message.
@Suite struct IntegerErrorTableTests {
  static let cases: [(String, String)] = [
    (
      "input x: f64[3]\ninput k: i64[3]\ny = x + k\noutput y",
      "t.graph:3:7: error: dtype mismatch in '+': f64[3] + i64[3] (integer and float values "
        + "do not mix: convert one with f32(), f64(), i32() or i64())"
    ),
    (
      "input k: i32\ninput j: i64\ny = k < j\noutput y",
      "t.graph:3:7: error: dtype mismatch in '<': i32 < i64"
    ),
    (
      "input x: f64[3]\ninput k: i64[3]\ny = sum(x * f64(k))\ng = grad(y, k)\noutput g",
      "t.graph:4:13: error: 'grad' cannot differentiate with respect to 'k', an integer value "
        + "(i64[3]): no gradient flows through integers"
    ),
    (
      "input k: i64[3]\ny = k * 2.5\noutput y",
      "t.graph:2:7: error: the number 2.5 meets an i64 value but is not a whole number; "
        + "convert the integer with f64() or f32()"
    ),
    (
      "input k: i64[3]\ny = exp(k)\noutput y",
      "t.graph:2:5: error: 'exp' needs a float value (f32 or f64), got i64[3]; "
        + "convert it with f64() or f32()"
    ),
    (
      "input k: i64[2, 2]\ny = k @ k\noutput y",
      "t.graph:2:7: error: '@' needs a float value (f32 or f64), got i64[2,2]; "
        + "convert it with f64() or f32()"
    ),
    (
      "param w: i32[3]\noutput w",
      "t.graph:1:7: error: a param is trainable, so its type is f32 or f64, not i32; "
        + "declare 'w' with 'input' for integer values"
    ),
    (
      "input x: f64[3]\ny = take(x, x)\noutput y",
      "t.graph:2:5: error: 'take' needs integer indices (i32 or i64), got f64[3]; "
        + "convert them with i64()"
    ),
    (
      "input x: f64[3]\ninput k: i64[2]\ny = take(x, k, 1)\noutput y",
      "t.graph:3:16: error: axis 1 is out of range in 'take' for a tensor of rank 1 "
        + "(expected -1 to 0)"
    ),
    (
      "input k: i64[2]\ny = one_hot(k, 3, f16)\noutput y",
      "t.graph:2:19: error: unknown name 'f16'"
    ),
    (
      "input k: i64[2]\ny = one_hot(k, 3, 2)\noutput y",
      "t.graph:2:19: error: the type of 'one_hot' must be f32, f64, i32 or i64"
    ),
    (
      "input k: i64[2]\ny = one_hot(k, -3)\noutput y",
      "t.graph:2:16: error: the class count of 'one_hot' must be 0 or more, got -3"
    ),
    (
      "y = arange(2.5)\noutput y",
      "t.graph:1:12: error: the length of 'arange' must be a constant whole number, like 0 or -1"
    ),
    (
      "input z: f64[2, 3]\ninput y: i64[3]\nl = cross_entropy(z, y)\noutput l",
      "t.graph:3:5: error: shape mismatch in 'cross_entropy': f64[2,3], i64[3]"
    ),
    (
      "input k: i64[2]\ny = argmax(k, 0)\noutput y",
      "t.graph:2:5: error: 'argmax' needs a float value (f32 or f64), got i64[2]; "
        + "convert it with f64() or f32()"
    ),
    (
      "input k: i64[2]\ny = exp(1) + k\noutput y",
      "t.graph:2:12: error: the number 2.718281828459045 meets an i64 value but is not a whole "
        + "number; convert the integer with f64() or f32()"
    ),
  ]

  @Test(arguments: cases)
  func message(source: String, expected: String) {
    #expect(diagnostic(source) == expected)
  }

  /// Integer literals take the integer's type; conversions fold on literals.
  @Test func integerLiterals() throws {
    let out = try evaluate(
      "input k: i64[3]\ny = k * 2 + i64(2.9)\nf = sum(y)\noutput f",
      [
        "k": Tensor(.i64, shape: [3], scalars: [1, 2, 3])
      ])
    #expect(out["f"] == Tensor(18, dtype: .i64))
  }
}

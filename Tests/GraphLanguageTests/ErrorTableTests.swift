import GraphLanguage
import Testing

/// Every kind of mistake in a file, with the exact one-line message and position.
@Suite struct ErrorTableTests {
  static let cases: [(String, String)] = [
    // Characters and tokens
    ("input x\nf = x $ 2\noutput f", "t.graph:2:7: error: unexpected character '$'"),
    ("f = \u{7}\noutput f", "t.graph:1:5: error: unexpected character U+0007"),
    ("f = é\noutput f", "t.graph:1:5: error: unexpected character 'é' (U+00E9)"),
    (
      "input x\nf = x ** 2\noutput f",
      "t.graph:2:7: error: '**' is not an operator: write powers with '^'"
    ),
    (
      "f = 1e+\noutput f",
      "t.graph:1:5: error: malformed number '1e+': expected digits after the exponent"
    ),
    (
      "3 = x",
      "t.graph:1:1: error: expected a statement (input, param, output or NAME = EXPR), found '3'"
    ),
    ("input x\nf x", "t.graph:2:3: error: expected '=' after 'f', found 'x'"),
    ("input x\nf = x y\noutput f", "t.graph:2:7: error: expected end of line, found 'y'"),
    ("input 3", "t.graph:1:7: error: expected a name after 'input', found '3'"),
    ("output", "t.graph:1:7: error: expected the name of a value to output, found end of file"),
    // Unterminated expressions
    ("input x\nf = x +\noutput f", "t.graph:2:8: error: expected an expression, found end of line"),
    ("f = (1 + 2\noutput f", "t.graph:1:11: error: expected ')', found end of line"),
    (
      "input x\nf = exp(x\noutput f",
      "t.graph:2:10: error: expected ',' or ')' in the arguments of 'exp', found end of line"
    ),
    (
      "input v: f64[3]\nf = v[1:\noutput f",
      "t.graph:2:9: error: expected ',' or ']' in the index, found end of line"
    ),
    // Names and functions
    ("f = y + 1\noutput f", "t.graph:1:5: error: unknown name 'y'"),
    ("input x\nf = foo(x)\noutput f", "t.graph:2:5: error: unknown function 'foo'"),
    ("input x\nf = x(2)\noutput f", "t.graph:2:5: error: 'x' is a value, not a function"),
    ("input x\nf = exp(x, x)\noutput f", "t.graph:2:5: error: 'exp' takes 1 argument, got 2"),
    ("input x\nf = max(x)\noutput f", "t.graph:2:5: error: 'max' takes 2 arguments, got 1"),
    (
      "input x\nf = sum(x, 0, 1)\noutput f",
      "t.graph:2:5: error: 'sum' takes 1 or 2 arguments, got 3"
    ),
    (
      "input v: f64[2]\nf = concat(v, 0)\noutput f",
      "t.graph:2:5: error: 'concat' takes at least 3 arguments, got 2"
    ),
    ("input x\nf = grad(x)\noutput f", "t.graph:2:5: error: 'grad' takes 2 arguments, got 1"),
    ("input x\nf = grad(x, x, x)\noutput f", "t.graph:2:5: error: 'grad' takes 2 arguments, got 3"),
    // Redefinition
    (
      "input x\nx = 2\noutput x",
      "t.graph:2:1: error: redefinition of 'x' (first defined at line 1, column 7)"
    ),
    (
      "input x\nparam x",
      "t.graph:2:7: error: redefinition of 'x' (first defined at line 1, column 7)"
    ),
    (
      "f = 1\nf = 2\noutput f",
      "t.graph:2:1: error: redefinition of 'f' (first defined at line 1, column 1)"
    ),
    // Types and shapes
    (
      "input a: f32[128, 784]\ninput b: f32[512, 10]\nh = a @ b\noutput h",
      "t.graph:3:7: error: shape mismatch in '@': f32[128,784] @ f32[512,10]"
    ),
    (
      "input a: f32\ninput b\nc = a + b\noutput c",
      "t.graph:3:7: error: dtype mismatch in '+': f32 + f64"
    ),
    (
      "input a: f64[2]\ninput b: f64[3]\nc = max(a, b)\noutput c",
      "t.graph:3:5: error: shape mismatch in 'max': f64[2], f64[3]"
    ),
    (
      "input a: f64[2, 3]\nc = reshape(a, [4])\noutput c",
      "t.graph:2:5: error: invalid operand to 'reshape': expected a shape with 6 elements like f64[2,3], got [4]"
    ),
    (
      "input a: f64[2, 3]\nc = reshape(a, 4)\noutput c",
      "t.graph:2:16: error: 'reshape' needs a shape like [2, 3] as its second argument"
    ),
    (
      "input v: f64[3]\ny = v[5]\noutput y",
      "t.graph:2:6: error: invalid operand to '[]': expected an index in -3 ..< 3 on axis 0, got 5"
    ),
    ("input v: f64[3]\ny = v[::0]\noutput y", "t.graph:2:9: error: a slice step must not be zero"),
    (
      "input v: f64[3]\ny = v[1:2:0]\noutput y",
      "t.graph:2:11: error: a slice step must not be zero"
    ),
    (
      "input v: f64[3]\ny = v[::0.5]\noutput y",
      "t.graph:2:9: error: a slice step must be a constant whole number, like 0 or -1"
    ),
    (
      "input x\ny = grad(grad(grad(lgamma(x), x), x), x)\noutput y",
      "t.graph:2:5: error: the derivative of 'trigamma' is not implemented: lgamma can be "
        + "differentiated at most twice, and digamma once"
    ),
    (
      "input v: f64[3]\ny = cumsum(v, 1)\noutput y",
      "t.graph:2:15: error: axis 1 is out of range in 'cumsum' for a tensor of rank 1 (expected -1 to 0)"
    ),
    (
      "input x\ny = cumsum(x, 0)\noutput y",
      "t.graph:2:15: error: axis 0 is out of range in 'cumsum': a scalar has no axes"
    ),
    (
      "input v: f64[3]\ny = cumsum(v)\noutput y",
      "t.graph:2:5: error: 'cumsum' takes 2 arguments, got 1"
    ),
    (
      "input v: f64[3]\ny = cumsum(v, v)\noutput y",
      "t.graph:2:15: error: the axis of 'cumsum' must be a constant whole number, like 0 or -1"
    ),
    (
      "input v: f64[3]\ny = v[0.5]\noutput y",
      "t.graph:2:7: error: an index must be a constant whole number, like 0 or -1"
    ),
    // Axes
    (
      "input a: f64[2, 3]\ns = sum(a, 2)\noutput s",
      "t.graph:2:12: error: axis 2 is out of range in 'sum' for a tensor of rank 2 (expected -2 to 1)"
    ),
    (
      "input a: f64[2, 3]\ns = softmax(a, -3)\noutput s",
      "t.graph:2:16: error: axis -3 is out of range in 'softmax' for a tensor of rank 2 (expected -2 to 1)"
    ),
    (
      "input a: f64[2, 3]\ns = sum(a, 1.5)\noutput s",
      "t.graph:2:12: error: the axis of 'sum' must be a constant whole number, like 0 or -1"
    ),
    (
      "input a: f64[2, 3]\ns = sum(a, a)\noutput s",
      "t.graph:2:12: error: the axis of 'sum' must be a constant whole number, like 0 or -1"
    ),
    // grad
    (
      "input v: f64[3]\ng = grad(v * 2, v)\noutput g",
      "t.graph:2:10: error: 'grad' needs a scalar, got f64[3]"
    ),
    (
      "input x\ng = grad(x^2, x + 1)\noutput g",
      "t.graph:2:15: error: 'grad' differentiates with respect to a name (an input, a param or a defined value), not an expression"
    ),
    ("input x\ng = grad(x^2, z)\noutput g", "t.graph:2:15: error: unknown name 'z'"),
    (
      "input x: f64[2]\nj = jacobian(x, x, x)\noutput j",
      "t.graph:2:5: error: 'jacobian' takes 2 arguments, got 3"
    ),
    (
      "input x: f64[2]\nh = hessian(x, x)\noutput h",
      "t.graph:2:13: error: 'hessian' needs a scalar, got f64[2]"
    ),
    (
      "input x: f64[2]\nj = jacobian(x, 2 * x)\noutput j",
      "t.graph:2:17: error: 'jacobian' differentiates with respect to a name (an input, a param or a defined value), not an expression"
    ),
    (
      "input x: f64[2, 3]\ny = transpose(x, 1)\noutput y",
      "t.graph:2:18: error: 'transpose' takes its axes as a list like [1, 0, 2]"
    ),
    (
      "input x: f64[2, 3]\ny = transpose(x, [0, 0])\noutput y",
      "t.graph:2:5: error: invalid operand to 'transpose': expected a permutation of the axes of f64[2,3]"
    ),
    (
      "input x: f64[2]\ny = reshape(x, [-1, 1000000000000, 1000000000000])\noutput y",
      "t.graph:2:5: error: shape [-1, 1000000000000, 1000000000000] is too large or negative (its axes may multiply to at most 17179869184, a zero-length axis counting as 1)"
    ),
    // Outputs
    (
      "input x\nf = x\n",
      "t.graph:3:1: error: no 'output' line: name at least one value to return, e.g. 'output f'"
    ),
    (
      "", "t.graph:1:1: error: no 'output' line: name at least one value to return, e.g. 'output f'"
    ),
    ("input x\noutput f", "t.graph:2:8: error: unknown name 'f'"),
    ("input x\noutput x, x", "t.graph:2:11: error: 'x' is output more than once"),
    ("input x\noutput x + 1", "t.graph:2:10: error: expected end of line, found '+'"),
    // Types and initialisers
    (
      "input x: f16",
      "t.graph:1:10: error: expected a type (f32, f64, i32 or i64, with an optional shape like f32[3, 4]), found 'f16'"
    ),
    (
      "input x: f32[3, -1]",
      "t.graph:1:17: error: expected a dimension (a whole number, 0 or more), found '-'"
    ),
    (
      "input x: f32[2.5]",
      "t.graph:1:14: error: expected a dimension (a whole number, 0 or more), found '2.5'"
    ),
    ("input x: f32[3", "t.graph:1:15: error: expected ',' or ']' in the shape, found end of file"),
    (
      "input x: f32[100000, 100000, 100000]",
      "t.graph:1:10: error: shape [100000, 100000, 100000] is too large or negative (its axes may multiply to at most 17179869184, a zero-length axis counting as 1)"
    ),
    (
      "input x: f32[99999999999999999999]",
      "t.graph:1:14: error: dimension 99999999999999999999 is too large"
    ),
    (
      "input x = 3",
      "t.graph:1:9: error: an input has no initial value; declare 'x' with 'param' to give it one"
    ),
    (
      "param w = foo",
      "t.graph:1:11: error: expected an initial value (a number, zeros, ones, normal(STD) or uniform(LO, HI)), found 'foo'"
    ),
    (
      "param w = normal(-1)",
      "t.graph:1:11: error: 'normal' needs a standard deviation of 0 or more"
    ),
    ("param w = uniform(1, 0)", "t.graph:1:11: error: 'uniform' needs LO <= HI"),
    ("param w = uniform(1)", "t.graph:1:20: error: expected ',' in 'uniform(...)', found ')'"),
    ("param w = normal(x)", "t.graph:1:18: error: expected a number in 'normal(...)', found 'x'"),
  ]

  @Test(arguments: cases)
  func message(source: String, expected: String) {
    #expect(diagnostic(source) == expected)
  }

  @Test func nulByte() {
    #expect(
      diagnostic(bytes: Array("input x\nf = x\u{0}\noutput f".utf8))
        == "t.graph:2:6: error: unexpected NUL byte")
  }

  @Test func nulByteInComment() {
    #expect(
      diagnostic(bytes: Array("# a\u{0}b\ninput x".utf8))
        == "t.graph:1:4: error: unexpected NUL byte")
  }

  @Test func invalidUTF8InComment() {
    // "é" counts as one column, then 0xC3 '(' is a truncated sequence.
    let bytes = Array("# é".utf8) + [0xC3, 0x28] + Array("\noutput x".utf8)
    #expect(diagnostic(bytes: bytes) == "t.graph:1:4: error: invalid UTF-8 byte 0xC3")
  }

  @Test func invalidUTF8InCode() {
    #expect(
      diagnostic(bytes: Array("f = ".utf8) + [0xFF])
        == "t.graph:1:5: error: invalid UTF-8 byte 0xFF")
  }

  @Test(arguments: [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]])
  func overlongSurrogateAndTruncatedSequencesAreInvalid(sequence: [UInt8]) {
    let message = diagnostic(bytes: Array("#".utf8) + sequence)
    #expect(message?.hasPrefix("t.graph:1:2: error: invalid UTF-8 byte 0x") == true)
  }

  @Test func errorsComeInFileOrder() {
    #expect(diagnostic("f = y\ng = $") == "t.graph:1:5: error: unknown name 'y'")
  }

  @Test func descriptionStaysOnOneLine() {
    let error = SourceError(
      fileName: "a\nb.graph", position: .init(line: 1, column: 2), message: "x\ny")
    #expect(error.description == "a b.graph:1:2: error: x y")
  }
}

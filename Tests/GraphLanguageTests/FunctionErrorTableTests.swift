import GraphLanguage
import Testing

/// Every mistake with functions and loops that the contract's "Bad input" names, with the
/// exact one-line message and position. A mistake inside a body points at the body's line.
@Suite struct FunctionErrorTableTests {
  static let f = "def f(a)\n  return a * 2\nend\n"
  static let cases: [(String, String)] = [
    // `def` blocks
    (
      "input x\ndef f(a)\n  b = a\nend\noutput x",
      "t.graph:4:1: error: 'f' has no 'return' line before its 'end'"
    ),
    (
      "input x\ndef f(a)\n  return a\noutput x",
      "t.graph:4:1: error: expected 'end' of 'def f' (line 2), found 'output'"
    ),
    (
      "input x\ndef f(a)\n  return a\n",
      "t.graph:4:1: error: expected 'end' of 'def f' (line 2), found end of file"
    ),
    (
      "input x\ndef f(a)\n  return a\n  b = a\nend\noutput x",
      "t.graph:4:3: error: expected 'end' of 'def f' (line 2), found 'b'"
    ),
    ("def 3(a)", "t.graph:1:5: error: expected a function name after 'def', found '3'"),
    ("def f(a, a)", "t.graph:1:10: error: redefinition of 'a' (first defined at line 1, column 7)"),
    (
      "input x\ndef f(a)\n  a = 2\n  return a\nend\noutput x",
      "t.graph:3:3: error: redefinition of 'a' (first defined at line 2, column 7)"
    ),
    (
      "input x\ndef exp(a)\n  return a\nend\noutput x",
      "t.graph:2:5: error: 'exp' is a built-in function; choose another name for yours"
    ),
    (
      "input x\ndef x(a)\n  return a\nend\noutput x",
      "t.graph:2:5: error: redefinition of 'x' (first defined at line 1, column 7)"
    ),
    (
      "input x\n\(f)f = 3\noutput f",
      "t.graph:5:1: error: redefinition of 'f' (first defined at line 2, column 5)"
    ),
    // Names inside bodies, found at the `def` even when the function is never called
    ("input x\ndef f(a)\n  return a + q\nend\noutput x", "t.graph:3:14: error: unknown name 'q'"),
    (
      "input x\ndef f(a)\n  return g(a)\nend\noutput x", "t.graph:3:10: error: unknown function 'g'"
    ),
    (
      "input x\ndef f(a)\n  return f(a)\nend\noutput x",
      "t.graph:3:10: error: 'f' calls itself: a function may call only functions defined above it"
    ),
    (
      "input x\ndef f(a)\n  return repeat(f, 2, a)\nend\noutput x",
      "t.graph:3:17: error: 'f' uses itself: a function may use only functions defined above it"
    ),
    // Calls
    ("input x\n\(f)y = f(x, x)\noutput y", "t.graph:5:5: error: 'f' takes 1 argument, got 2"),
    (
      "input x\ndef f(a)\n  return a, a\nend\ny = f(x)\noutput y",
      "t.graph:5:5: error: 'f' gives 2 results: name them all, as in 'a, b = f(...)'"
    ),
    (
      "input x\n\(f)y, z = f(x)\noutput y",
      "t.graph:5:8: error: 'f' gives 1 result, but 2 names are defined"
    ),
    (
      "input x\n\(f)y, z = x\noutput y",
      "t.graph:5:8: error: 2 names need a call of a function with 2 results, 'repeat' or 'scan'"
    ),
    (
      "input x\n\(f)y = f + 1\noutput y",
      "t.graph:5:5: error: 'f' is a function: call it, as in 'f(...)'"
    ),
    // A type mistake inside a body points at the body's line
    (
      "input x\ninput v: f64[3]\ndef f(a)\n  w = a * v\n  return w @ x\nend\ny = f(x)\noutput y",
      "t.graph:5:12: error: shape mismatch in '@': f64[3] @ f64"
    ),
    // `repeat`
    (
      "input x\n\(f)y = repeat(f, -1, x)\noutput y",
      "t.graph:5:15: error: the count of 'repeat' must be 0 or more, got -1"
    ),
    (
      "input x\n\(f)y = repeat(f, 2.5, x)\noutput y",
      "t.graph:5:15: error: the count of 'repeat' must be a constant whole number, like 10"
    ),
    (
      "input x\n\(f)y = repeat(f, x, x)\noutput y",
      "t.graph:5:15: error: the count of 'repeat' must be a constant whole number, like 10"
    ),
    (
      "input x\ninput v: f64[3]\ndef f(a)\n  return a + v\nend\ny = repeat(f, 2, x)\noutput y",
      "t.graph:6:5: error: 'f' changes the type of carry 1 in 'repeat': it starts as f64 and comes back as f64[3]"
    ),
    (
      "input x\n\(f)y = repeat(f, 2, x, x)\noutput y",
      "t.graph:5:5: error: 'repeat' calls 'f' with 2 arguments (2 carries), but it takes 1 parameter"
    ),
    (
      "input x\ndef f(a, b)\n  return a\nend\ny = repeat(f, 2, x, x)\noutput y",
      "t.graph:5:5: error: 'repeat' needs 2 results from 'f' (one per carry), but it returns 1"
    ),
    (
      "input x\n\(f)y = repeat(f, 2)\noutput y",
      "t.graph:5:5: error: 'repeat' needs at least one initial value after the count"
    ),
    ("input x\n\(f)y = repeat(g, 2, x)\noutput y", "t.graph:5:12: error: unknown function 'g'"),
    (
      "input x\n\(f)y = repeat(x, 2, x)\noutput y",
      "t.graph:5:12: error: 'x' is a value, not a function"
    ),
    (
      "input x\n\(f)y = repeat(exp, 2, x)\noutput y",
      "t.graph:5:12: error: 'repeat' runs a function defined with 'def', not the built-in 'exp'"
    ),
    // `scan`
    (
      "input x\ninput v: f64[3]\ninput u: f64[4]\ndef g(c, a, b)\n  return c, a + b\nend\n"
        + "y, s = scan(g, [x], [v, u])\noutput y",
      "t.graph:7:25: error: scanned values of different lengths: 3 steps, then 4 (f64[4])"
    ),
    (
      "input x\n\(f)y = scan(f, [x], [])\noutput y",
      "t.graph:5:5: error: 'scan' needs at least one value to step through"
    ),
    (
      "input x\n\(f)y = scan(f, [], [x])\noutput y",
      "t.graph:5:18: error: 'scan' steps along the first axis of each value, but this one is a scalar (f64)"
    ),
    (
      "input v: f64[0]\n\(f)y = scan(f, [], [v])\noutput y",
      "t.graph:5:18: error: 'scan' needs at least one step, but this value's first axis is empty (f64[0])"
    ),
    (
      "input v: f64[3]\n\(f)y = scan(f, [v], [v])\noutput y",
      "t.graph:5:5: error: 'scan' calls 'f' with 2 arguments (1 carry and 1 slice), but it takes 1 parameter"
    ),
    (
      "input v: f64[3]\ndef g(c, x)\n  return sum(c * x)\nend\ny = scan(g, [v], [v])\noutput y",
      "t.graph:5:5: error: 'g' changes the type of carry 1 in 'scan': it starts as f64[3] and comes back as f64"
    ),
    (
      "input v: f64[3]\n\(f)y = scan(f, v, [v])\noutput y",
      "t.graph:5:13: error: expected '[' before the initial carries of 'scan', found 'v'"
    ),
  ]

  @Test(arguments: cases)
  func message(source: String, expected: String) {
    #expect(diagnostic(source) == expected)
  }

  /// Each function runs the one above it in a loop: 60 levels is too deep, and the message
  /// points at the 51st loop from the outside, the `repeat` in the body of `g10` (line 33).
  @Test func loopsNestedTooDeeply() {
    var lines = ["input x", "def g0(a)", "  return a * 2", "end"]
    for k in 1...60 { lines += ["def g\(k)(a)", "  return repeat(g\(k - 1), 2, a)", "end"] }
    lines += ["y = g60(x)", "output y"]
    #expect(
      diagnostic(lines.joined(separator: "\n"))
        == "t.graph:33:10: error: loops nested more than 50 deep (a loop in a "
        + "body run by a loop ...)")
  }
}

import Testing

@testable import CCodegen

@Suite struct CIdentifiersTests {
  /// Names are found outside comments and literals; numbers never yield names.
  @Test(arguments: [
    ("p1[i] = gc_tanh(p0[i]);", ["p1", "i", "gc_tanh", "p0"]),
    ("x = 0x1.8p+3f * 1e-5 + 2.5f;", ["x"]),
    ("a /* gc_max(b) */ + c // gc_min\nd", ["a", "c", "d"]),
    ("s = \"gc_run \\\" q\" + 'z' + t;", ["s", "t"]),
    ("/* unterminated gc_max", []),
    ("_x9 = y_;", ["_x9", "y_"]),
  ])
  func namesOutsideCommentsAndLiterals(_ text: String, _ expected: [String]) {
    #expect(CIdentifiers.names(in: text) == Set(expected))
  }
}

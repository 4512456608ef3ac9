import GraphIR
import GraphLanguage
import Testing

/// Parses `source` and runs it through the reference interpreter.
func evaluate(_ source: String, _ inputs: [String: Tensor] = [:]) throws -> [String: Tensor] {
  try Interpreter.run(GraphParser.parse(source, fileName: "t.graph"), inputs)
}

/// The single output `f` of `source` as a number.
func scalar(_ source: String, _ inputs: [String: Tensor] = [:]) throws -> Double? {
  try evaluate(source, inputs)["f"]?.scalar
}

/// The error message `source` produces, in full (`t.graph:L:C: error: ...`), or nil.
func diagnostic(_ source: String) -> String? {
  diagnostic(bytes: Array(source.utf8))
}

/// The error message raw `bytes` produce, or nil if they parse.
func diagnostic(bytes: [UInt8]) -> String? {
  do {
    _ = try GraphParser.parseFile(bytes: bytes, fileName: "t.graph")
    return nil
  } catch {
    return "\(error)"
  }
}

/// True when `a` and `b` agree to a relative tolerance of 1e-12 (exactly for zero).
func close(_ a: Double?, _ b: Double) -> Bool {
  guard let a else { return false }
  return Swift.abs(a - b) <= 1e-12 * Swift.max(1, Swift.abs(b))
}

/// A row-major f64 tensor.
func tensor(_ shape: [Int], _ scalars: [Double]) -> Tensor {
  Tensor(.f64, shape: shape, scalars: scalars)
}

/// Every output of `b` equals the same output of `a`, in shape and to a relative 1e-12: `a`
/// is a program under test, `b` the same computation written out by hand.
func expectSameOutputs(
  _ a: String, _ b: String, _ inputs: [String: Tensor],
  sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let got = try evaluate(a, inputs)
  let expected = try evaluate(b, inputs)
  #expect(Set(got.keys) == Set(expected.keys), sourceLocation: sourceLocation)
  for (name, value) in expected {
    let other = try #require(got[name], sourceLocation: sourceLocation)
    #expect(other.shape == value.shape, "\(name)", sourceLocation: sourceLocation)
    for (g, e) in zip(other.scalars, value.scalars) {
      #expect(close(g, e), "\(name): \(g) vs \(e)", sourceLocation: sourceLocation)
    }
  }
}

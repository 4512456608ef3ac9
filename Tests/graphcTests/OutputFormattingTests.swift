import GraphIR
import Testing

@testable import graphc

/// The two ways `run` prints outputs, and DOT quoting.
@Suite struct OutputFormattingTests {
  @Test func jsonKeepsOrderAndRoundTrips() {
    let outputs: [(String, Tensor)] = [
      ("f", Tensor(17)), ("small", Tensor(1e-7)), ("third", Tensor(1.0 / 3)),
      ("w", Tensor(.f64, shape: [2, 2], scalars: [0.5, -1, 2, 0.25])),
    ]
    #expect(
      outputsJSON(outputs)
        == "{\"outputs\": {\"f\": 17.0, \"small\": 1e-07, \"third\": 0.3333333333333333, "
        + "\"w\": [[0.5, -1.0], [2.0, 0.25]]}}")
  }

  @Test func float32UsesTheFloatsShortestForm() {
    #expect(jsonNumber(Double(Float(0.1)), .f32) == "0.1")
    #expect(jsonNumber(Double(Float(0.1)), .f64) == "0.10000000149011612")
    #expect(humanNumber(Double(Float(0.1)), .f32) == "0.1")
    #expect(humanNumber(3, .f32) == "3")
  }

  @Test func nonFinite() {
    #expect(
      [Double.nan, .infinity, -.infinity].map { jsonNumber($0, .f64) } == [
        "\"nan\"", "\"inf\"", "\"-inf\"",
      ])
    #expect(outputsText([("x", Tensor(-.infinity))]) == "x = -inf")
  }

  @Test func jsonStringEscapes() {
    #expect(jsonString("a\"b\\c\n") == "\"a\\\"b\\\\c\\u000a\"")
  }

  @Test func dotQuoting() {
    #expect(dotQuoted("say \"hi\"\\\nnext") == "\"say \\\"hi\\\"\\\\\\nnext\"")
  }
}

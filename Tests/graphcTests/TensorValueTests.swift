import Foundation
import Testing

@testable import graphc

/// `--set` values in JSON text (`.npy` files are read by GraphData.NPY, tested there).
@Suite struct TensorValueTests {
  static let jsonCases: [(String, TensorValue)] = [
    ("2.5", TensorValue(shape: [], scalars: [2.5])),
    ("-3", TensorValue(shape: [], scalars: [-3])),
    ("1e-3", TensorValue(shape: [], scalars: [0.001])),
    (" [1, 2, 3] ", TensorValue(shape: [3], scalars: [1, 2, 3])),
    ("[[1,2],[3,4]]", TensorValue(shape: [2, 2], scalars: [1, 2, 3, 4])),
    ("[[[1]], [[2]]]", TensorValue(shape: [2, 1, 1], scalars: [1, 2])),
    ("[]", TensorValue(shape: [0], scalars: [])),
    ("[\"inf\", -inf]", TensorValue(shape: [2], scalars: [.infinity, -.infinity])),
  ]

  @Test(arguments: jsonCases)
  func json(text: String, expected: TensorValue) throws {
    #expect(try TensorValue(parsingJSON: text) == expected)
  }

  @Test func nanParses() throws {
    let value = try TensorValue(parsingJSON: "nan")
    #expect(value.shape == [] && value.scalars.count == 1 && value.scalars[0].isNaN)
  }

  @Test(arguments: [
    ("[1, 2", "expected ',' or ']', found the end at character 6"),
    ("[1 2]", "expected ',' or ']' at character 4"),
    ("[[1], 2]", "ragged array: rows of different shapes"),
    ("1 2", "unexpected text after the value at character 3"),
    ("", "expected a number or an array, found the end at character 1"),
    ("\"2\"", "expected a number at character 1"),
    ("infinity", "expected a number at character 1"),
    (String(repeating: "[", count: 100_000), "arrays nested more than 64 deep"),
  ])
  func badJSON(text: String, message: String) {
    #expect(throws: ValueError(message)) { try TensorValue(parsingJSON: text) }
  }
}

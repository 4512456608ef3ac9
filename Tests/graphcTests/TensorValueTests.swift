import Foundation
import Testing

@testable import graphc

/// `--set` values: JSON text and `.npy` bytes.
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

  /// A `.npy` file: magic, version, header padded to 64 bytes, then `data`.
  static func npy(_ header: String, _ data: [UInt8], major: UInt8 = 1) -> [UInt8] {
    let prefix = major == 1 ? 10 : 12
    let padded =
      header + String(repeating: " ", count: 63 - (prefix + header.utf8.count) % 64) + "\n"
    let length = padded.utf8.count
    let lengthBytes: [UInt8] =
      major == 1
      ? [UInt8(length & 0xFF), UInt8(length >> 8)]
      : [UInt8(length & 0xFF), UInt8(length >> 8), 0, 0]
    return [0x93] + Array("NUMPY".utf8) + [major, 0] + lengthBytes + Array(padded.utf8) + data
  }

  static func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { v in (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) } }
  }

  @Test func npyFloat64Version1() throws {
    let bytes = Self.npy(
      "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
      Self.littleEndian([1.5, -2, 0.25].map { ($0 as Double).bitPattern }))
    #expect(
      try TensorValue(npy: bytes, path: "a.npy")
        == TensorValue(shape: [3], scalars: [1.5, -2, 0.25]))
  }

  @Test func npyIntegersVersion2() throws {
    let i4 = Self.npy(
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 1), }",
      Self.littleEndian([Int32(-7), 9]), major: 2)
    #expect(
      try TensorValue(npy: i4, path: "a.npy") == TensorValue(shape: [2, 1], scalars: [-7, 9]))
    let i8 = Self.npy(
      "{'descr': '<i8', 'fortran_order': False, 'shape': (), }",
      Self.littleEndian([Int64(-1) << 40]))
    #expect(
      try TensorValue(npy: i8, path: "a.npy")
        == TensorValue(shape: [], scalars: [-1_099_511_627_776]))
  }

  static let zeros8 = [UInt8](repeating: 0, count: 8)
  static let badNPYCases: [([UInt8], String)] = [
    (
      npy("{'descr': '<f8', 'fortran_order': True, 'shape': (1,), }", zeros8),
      "fortran_order arrays are not supported"
    ),
    (
      npy("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", zeros8),
      "dtype '>f8' (supported: little-endian <f4, <f8, <i4, <i8)"
    ),
    (
      npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", zeros8),
      "expected 16 bytes of data, found 8"
    ),
    (npy("{'descr': '<f8', 'shape': (2,), }", []), "unreadable header"),
    (Array("NUMPY plain text".utf8), "bad magic bytes"),
    ([0x93] + Array("NUMPY".utf8) + [9, 0, 0, 0], "unknown version 9"),
    ([0x93] + Array("NUMPY".utf8) + [1, 0, 0xFF, 0xFF], "truncated header"),
  ]

  @Test(arguments: badNPYCases)
  func badNPY(bytes: [UInt8], why: String) {
    #expect(throws: ValueError("'a.npy' is not a supported .npy file: \(why)")) {
      try TensorValue(npy: bytes, path: "a.npy")
    }
  }
}

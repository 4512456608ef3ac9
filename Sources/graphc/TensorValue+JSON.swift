import GraphIR

/// Numbers and nested arrays in JSON syntax: `2.5`, `[[1, 2], [3, 4]]`. Non-finite values
/// are `nan`, `inf`, `-inf`, bare or as JSON strings.
extension TensorValue {
  /// How deeply arrays may nest: as many axes as a tensor may have.
  static let maximumRank = GraphIR.maximumRank

  /// Parses `text`. Throws `ValueError` for anything else, for ragged arrays, and for
  /// trailing text.
  init(parsingJSON text: String) throws {
    var reader = JSONTensorReader(bytes: Array(text.utf8))
    self = try reader.readDocument()
  }
}

/// A one-pass reader of the JSON subset above.
private struct JSONTensorReader {
  let bytes: [UInt8]
  var offset = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  mutating func readDocument() throws -> TensorValue {
    var scalars: [Double] = []
    let shape = try readValue(into: &scalars, depth: 0)
    skipSpace()
    guard offset == bytes.count else { throw error("unexpected text after the value") }
    return TensorValue(shape: shape, scalars: scalars)
  }

  /// Reads one number or array, appending its elements; returns its shape.
  private mutating func readValue(into scalars: inout [Double], depth: Int) throws -> [Int] {
    skipSpace()
    guard offset < bytes.count else { throw error("expected a number or an array, found the end") }
    guard bytes[offset] == UInt8(ascii: "[") else {
      scalars.append(try readNumber())
      return []
    }
    guard depth < TensorValue.maximumRank else {
      throw ValueError("arrays nested more than \(TensorValue.maximumRank) deep")
    }
    offset += 1
    skipSpace()
    if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
      offset += 1
      return [0]
    }
    var count = 0
    var itemShape: [Int]? = nil
    while true {
      let shape = try readValue(into: &scalars, depth: depth + 1)
      if let itemShape, itemShape != shape {
        throw ValueError("ragged array: rows of different shapes")
      }
      itemShape = shape
      count += 1
      skipSpace()
      guard offset < bytes.count else { throw error("expected ',' or ']', found the end") }
      let b = bytes[offset]
      offset += 1
      if b == UInt8(ascii: "]") { break }
      guard b == UInt8(ascii: ",") else { throw error("expected ',' or ']'", at: offset - 1) }
    }
    return [count] + (itemShape ?? [])
  }

  private mutating func readNumber() throws -> Double {
    let start = offset
    let quoted = bytes[offset] == UInt8(ascii: "\"")
    if quoted { offset += 1 }
    let textStart = offset
    while offset < bytes.count, isNumberByte(bytes[offset]) { offset += 1 }
    let text = String(decoding: bytes[textStart..<offset], as: UTF8.self)
    if quoted {
      guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
        throw error("unterminated string", at: start)
      }
      offset += 1
    }
    switch text {
    case "nan": return .nan
    case "inf", "+inf": return .infinity
    case "-inf": return -.infinity
    default:
      guard !quoted, !text.contains(where: { "naif".contains($0) }), let value = Double(text) else {
        throw error("expected a number", at: start)
      }
      return value
    }
  }

  private func isNumberByte(_ b: UInt8) -> Bool {
    (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: ".")
      || b == UInt8(ascii: "-")
      || b == UInt8(ascii: "+") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
      || b == UInt8(ascii: "n") || b == UInt8(ascii: "a") || b == UInt8(ascii: "i")
      || b == UInt8(ascii: "f")
  }

  private mutating func skipSpace() {
    while offset < bytes.count, [9, 10, 13, 32].contains(bytes[offset]) { offset += 1 }
  }

  private func error(_ message: String, at position: Int? = nil) -> ValueError {
    ValueError("\(message) at character \((position ?? offset) + 1)")
  }
}

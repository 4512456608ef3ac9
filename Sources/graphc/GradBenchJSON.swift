import Foundation
import GraphIR

/// A GradBench message's fields, read from one JSON line, with typed accessors whose errors
/// name the field and what it should have been.
struct GradBenchFields {
  /// The decoded JSON object.
  let object: [String: Any]
  /// Where these fields sit, for messages: `message`, `input`.
  let context: String

  /// Decodes one line. Throws `GradBenchError` unless it is a JSON object.
  init(line: String) throws {
    let decoded: Any
    do {
      decoded = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [])
    } catch {
      throw GradBenchError("malformed message: not valid JSON")
    }
    guard let object = decoded as? [String: Any] else {
      throw GradBenchError("malformed message: expected a JSON object")
    }
    self.init(object, context: "message")
  }

  init(_ object: [String: Any], context: String) {
    self.object = object
    self.context = context
  }

  /// Whether `name` is present (and not null).
  func has(_ name: String) -> Bool {
    guard let value = object[name] else { return false }
    return !(value is NSNull)
  }

  /// The string field `name`.
  func string(_ name: String) throws -> String {
    guard let value = object[name] as? String else { throw missing(name, "a string") }
    return value
  }

  /// The integer field `name` (a JSON number without a fractional part).
  func integer(_ name: String) throws -> Int {
    guard let number = object[name] as? NSNumber,
      let value = Int(exactly: number.doubleValue)
    else { throw missing(name, "an integer") }
    return value
  }

  /// The number field `name`.
  func number(_ name: String) throws -> Double {
    guard let number = object[name] as? NSNumber else { throw missing(name, "a number") }
    return number.doubleValue
  }

  /// The object field `name`.
  func fields(_ name: String) throws -> GradBenchFields {
    guard let value = object[name] as? [String: Any] else { throw missing(name, "an object") }
    return GradBenchFields(value, context: name)
  }

  /// The field `name` as an f64 tensor of `rank` axes (nested arrays of numbers, not ragged).
  func tensor(_ name: String, rank: Int) throws -> Tensor {
    guard let value = object[name] else { throw missing(name, "an array of rank \(rank)") }
    var scalars: [Double] = []
    var shape: [Int?] = Array(repeating: nil, count: rank)
    guard flatten(value, depth: 0, rank: rank, shape: &shape, into: &scalars) else {
      throw GradBenchError(
        "\(context) field '\(name)' must be \(rank == 1 ? "an array" : "nested arrays (rank \(rank))") of numbers, not ragged"
      )
    }
    return Tensor(.f64, shape: shape.map { $0 ?? 0 }, scalars: scalars)
  }

  private func flatten(
    _ value: Any, depth: Int, rank: Int, shape: inout [Int?], into scalars: inout [Double]
  ) -> Bool {
    if depth == rank {
      guard let number = value as? NSNumber else { return false }
      scalars.append(number.doubleValue)
      return true
    }
    guard let array = value as? [Any] else { return false }
    if let expected = shape[depth] {
      guard array.count == expected else { return false }
    } else {
      shape[depth] = array.count
    }
    for element in array {
      guard flatten(element, depth: depth + 1, rank: rank, shape: &shape, into: &scalars) else {
        return false
      }
    }
    // An empty axis leaves the inner lengths unknown: they are zero.
    if array.isEmpty { for k in (depth + 1)..<rank where shape[k] == nil { shape[k] = 0 } }
    return true
  }

  private func missing(_ name: String, _ expected: String) -> GradBenchError {
    has(name)
      ? GradBenchError("\(context) field '\(name)' must be \(expected)")
      : GradBenchError("\(context) has no field '\(name)' (expected \(expected))")
  }
}

/// Text of JSON values for responses: one line, standard JSON only (no NaN or infinity).
enum GradBenchJSON {
  /// A finite double at full precision (Swift prints the shortest text that reads back
  /// exactly, e.g. `0.1`, `1e-05`, `12.0`); throws for NaN and infinities, which JSON lacks.
  static func number(_ value: Double) throws -> String {
    guard value.isFinite else {
      throw GradBenchError(
        "the result holds a non-finite value (\(value)), which JSON cannot carry")
    }
    return "\(value)"
  }

  /// `tensor` as a number (no axes) or nested arrays, row-major.
  static func tensor(_ tensor: Tensor) throws -> String {
    var text = ""
    text.reserveCapacity(tensor.scalars.count * 22)
    var index = 0
    func write(axis: Int) throws {
      if axis == tensor.shape.count {
        text += try number(tensor.scalars[index])
        index += 1
        return
      }
      text += "["
      for k in 0..<tensor.shape[axis] {
        if k > 0 { text += ", " }
        try write(axis: axis + 1)
      }
      text += "]"
    }
    try write(axis: 0)
    return text
  }

  /// An object from already-written member texts, in the given order.
  static func object(_ members: [(String, String)]) -> String {
    "{" + members.map { "\(jsonString($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
  }
}

/// A message the tool cannot act on, or an evaluate that cannot be computed: sent back as
/// `success: false` with this text as `error`.
struct GradBenchError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

import Foundation

/// NumPy's `.npy` format, version 1, 2 or 3: a magic string, a header that is a Python dict
/// literal (`{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }`), then the raw
/// elements. Little-endian `f4`, `f8`, `i4` and `i8` in C order are supported.
extension TensorValue {
  /// Reads the bytes of a `.npy` file; `path` is for messages.
  init(npy bytes: [UInt8], path: String) throws {
    func fail(_ why: String) -> ValueError {
      ValueError("'\(path)' is not a supported .npy file: \(why)")
    }
    let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("bad magic bytes") }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
      headerLength = Int(littleEndian(bytes[8..<10]))
      headerStart = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw fail("truncated header") }
      headerLength = Int(littleEndian(bytes[8..<12]))
      headerStart = 12
    default:
      throw fail("unknown version \(major)")
    }
    guard headerStart + headerLength <= bytes.count else { throw fail("truncated header") }
    let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
    let fields = try NPYHeader(header).orThrow(fail("unreadable header"))

    guard fields.fortranOrder == false else { throw fail("fortran_order arrays are not supported") }
    let width: Int
    let decode: (UInt64) -> Double
    switch fields.descr {
    case "<f4": (width, decode) = (4, { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) })
    case "<f8": (width, decode) = (8, { Double(bitPattern: $0) })
    case "<i4": (width, decode) = (4, { Double(Int32(truncatingIfNeeded: $0)) })
    case "<i8": (width, decode) = (8, { Double(Int64(bitPattern: $0)) })
    default:
      throw fail("dtype '\(fields.descr)' (supported: little-endian <f4, <f8, <i4, <i8)")
    }
    var count = 1
    for dim in fields.shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: dim)
      guard dim >= 0, !overflow, product <= 1 << 34 else { throw fail("shape too large") }
      count = product
    }
    let dataStart = headerStart + headerLength
    guard bytes.count - dataStart == count * width else {
      throw fail("expected \(count * width) bytes of data, found \(bytes.count - dataStart)")
    }
    var scalars: [Double] = []
    scalars.reserveCapacity(count)
    for k in 0..<count {
      let at = dataStart + k * width
      scalars.append(decode(littleEndian(bytes[at..<(at + width)])))
    }
    self.init(shape: fields.shape, scalars: scalars)
  }
}

/// An unsigned integer from little-endian bytes.
private func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
  bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
}

/// The three fields of an `.npy` header dict.
private struct NPYHeader {
  var descr = ""
  var fortranOrder: Bool? = nil
  var shape: [Int] = []

  /// Reads `{'key': value, ...}` where values are quoted strings, `True`/`False` or tuples
  /// of integers; nil if the text is anything else or a field is missing.
  init?(_ text: String) {
    var rest = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
    guard rest.popFirst() == "{" else { return nil }
    var sawDescr = false
    var sawShape = false
    while true {
      rest = rest.drop { $0 == " " }
      if rest.first == "}" { break }
      guard let key = Self.quoted(&rest) else { return nil }
      rest = rest.drop { $0 == " " }
      guard rest.popFirst() == ":" else { return nil }
      rest = rest.drop { $0 == " " }
      switch key {
      case "descr":
        guard let value = Self.quoted(&rest) else { return nil }
        descr = value
        sawDescr = true
      case "fortran_order":
        if rest.hasPrefix("True") {
          fortranOrder = true
        } else if rest.hasPrefix("False") {
          fortranOrder = false
        } else {
          return nil
        }
        rest = rest.dropFirst(fortranOrder == true ? 4 : 5)
      case "shape":
        guard rest.popFirst() == "(", let close = rest.firstIndex(of: ")") else { return nil }
        let items = rest[..<close].split(separator: ",").map {
          $0.trimmingCharacters(in: .whitespaces)
        }
        var dims: [Int] = []
        for item in items where !item.isEmpty {
          guard let dim = Int(item) else { return nil }
          dims.append(dim)
        }
        shape = dims
        sawShape = true
        rest = rest[rest.index(after: close)...]
      default:
        return nil
      }
      rest = rest.drop { $0 == " " }
      if rest.first == "," { rest = rest.dropFirst() }
    }
    guard sawDescr, sawShape, fortranOrder != nil else { return nil }
  }

  /// A `'...'` or `"..."` string at the start of `text`, consumed.
  private static func quoted(_ text: inout Substring) -> String? {
    guard let quote = text.first, quote == "'" || quote == "\"" else { return nil }
    let body = text.dropFirst()
    guard let close = body.firstIndex(of: quote) else { return nil }
    text = body[body.index(after: close)...]
    return String(body[..<close])
  }
}

extension Optional {
  /// The wrapped value, or `error` thrown.
  fileprivate func orThrow(_ error: @autoclosure () -> some Error) throws -> Wrapped {
    guard let self else { throw error() }
    return self
  }
}

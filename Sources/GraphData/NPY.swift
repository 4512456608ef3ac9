import Foundation
import GraphIR

/// NumPy's `.npy` format: a magic string, a version, a Python-dict header giving dtype,
/// order and shape, then the raw little-endian elements.
public enum NPY {
  /// Reads a `.npy` file of `<f4`, `<f8`, `<i4`, `<i8`, `|u1` or `|b1` in C order.
  public static func read(_ path: String) throws -> Tensor {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw DataError(path, "cannot read the file (missing or unreadable)")
    }
    return try decode([UInt8](data), file: path)
  }

  /// Decodes `.npy` bytes: `<f4` becomes an f32 tensor, `<f8` f64, `<i4` i32, and `<i8` and
  /// the bytes (`|u1`, `|b1`) i64.
  public static func decode(_ bytes: [UInt8], file: String) throws -> Tensor {
    let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
      throw DataError(file, "not a .npy file (missing the \\x93NUMPY magic)")
    }
    let major = bytes[6]
    let (headerLength, headerStart): (Int, Int)
    switch major {
    case 1: (headerLength, headerStart) = (Int(bytes[8]) | Int(bytes[9]) << 8, 10)
    case 2, 3:
      guard bytes.count >= 12 else { throw DataError(file, "truncated .npy header") }
      headerLength =
        Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
      headerStart = 12
    default: throw DataError(file, "unsupported .npy version \(major)")
    }
    guard headerStart + headerLength <= bytes.count,
      let header = String(bytes: bytes[headerStart..<headerStart + headerLength], encoding: .ascii)
    else { throw DataError(file, "truncated .npy header") }
    guard let descr = field("descr", in: header), let order = field("fortran_order", in: header),
      let shapeText = field("shape", in: header)
    else {
      throw DataError(
        file, "malformed .npy header: \(header.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    guard order == "False" else {
      throw DataError(file, "Fortran-order arrays are not supported; save with C order")
    }
    let shape = try parseShape(shapeText, file: file)
    do { try checkShape(shape) } catch {
      throw DataError(file, "shape \(shape) in the .npy header is too large")
    }
    let count = shape.reduce(1, *)
    let kinds: [String: (width: Int, decode: (UInt64) -> Double)] = [
      "<f4": (4, { Double(Float(bitPattern: UInt32($0))) }), "<f8": (8, { Double(bitPattern: $0) }),
      "<i4": (4, { Double(Int32(truncatingIfNeeded: $0)) }),
      "<i8": (8, { Double(Int64(bitPattern: $0)) }),
      "|u1": (1, { Double($0) }), "|b1": (1, { Double($0) }), "<u1": (1, { Double($0) }),
    ]
    guard let kind = kinds[descr] else {
      throw DataError(
        file,
        "unsupported .npy dtype '\(descr)' (expected <f4, <f8, <i4, <i8 or |u1, little-endian)")
    }
    let start = headerStart + headerLength
    guard bytes.count - start == count * kind.width else {
      throw DataError(
        file, "data size \(bytes.count - start) bytes does not match shape \(shape) of \(descr)")
    }
    var values = [Double](repeating: 0, count: count)
    for i in 0..<count {
      var raw: UInt64 = 0
      for k in (0..<kind.width).reversed() {
        raw = raw << 8 | UInt64(bytes[start + i * kind.width + k])
      }
      values[i] = kind.decode(raw)
    }
    let dtype: DType =
      switch descr {
      case "<f4": .f32
      case "<f8": .f64
      case "<i4": .i32
      default: .i64
      }
    return Tensor(dtype, shape: shape, exactly: values)
  }

  /// Encodes a tensor as version-1 `.npy`, `<f4`, `<f8`, `<i4` or `<i8` by dtype (bit-exact).
  public static func encode(_ tensor: Tensor) -> [UInt8] {
    let descr =
      switch tensor.dtype {
      case .f32: "<f4"
      case .f64: "<f8"
      case .i32: "<i4"
      case .i64: "<i8"
      }
    let dims = tensor.shape.map(String.init).joined(separator: ", ")
    let shape = tensor.shape.count == 1 ? "(\(dims),)" : "(\(dims))"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    out += [UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)]
    out += Array(header.utf8)
    out.reserveCapacity(out.count + tensor.scalars.count * tensor.dtype.byteSize)
    for v in tensor.scalars {
      let bits: UInt64 =
        switch tensor.dtype {
        case .f32: UInt64(Float(v).bitPattern)
        case .f64: v.bitPattern
        case .i32: UInt64(UInt32(bitPattern: Int32(v)))
        case .i64: UInt64(bitPattern: Int64(v))
        }
      for k in 0..<tensor.dtype.byteSize {
        out.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k))))
      }
    }
    return out
  }

  /// Writes a tensor to a `.npy` file.
  public static func write(_ tensor: Tensor, to path: String) throws {
    guard FileManager.default.createFile(atPath: path, contents: Data(encode(tensor))) else {
      throw DataError(path, "cannot write the file")
    }
  }

  private static func field(_ key: String, in header: String) -> String? {
    guard let keyRange = header.range(of: "'\(key)'") else { return nil }
    var rest = header[keyRange.upperBound...].drop { $0 == " " || $0 == ":" }
    if rest.first == "(" {
      guard let close = rest.firstIndex(of: ")") else { return nil }
      return String(rest[rest.startIndex...close])
    }
    if rest.first == "'" {
      rest = rest.dropFirst()
      guard let close = rest.firstIndex(of: "'") else { return nil }
      return String(rest[..<close])
    }
    return String(rest.prefix { $0 != "," && $0 != "}" }).trimmingCharacters(in: .whitespaces)
  }

  private static func parseShape(_ text: String, file: String) throws -> [Int] {
    let inner = text.dropFirst().dropLast()
    return try inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
      .map { part in
        guard let dim = Int(part), dim >= 0 else {
          throw DataError(file, "bad shape \(text) in .npy header")
        }
        return dim
      }
  }
}

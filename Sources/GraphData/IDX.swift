/// The IDX format of MNIST-style datasets: a magic number giving the element type and
/// rank, big-endian 32-bit dimensions, then the elements in row-major order.
public enum IDX {
  /// Reads an IDX file (optionally gzip-compressed) into a tensor of `dtype`, scaling each
  /// element by `scale` (e.g. 1/255 for pixels).
  public static func read(_ path: String, scale: Double = 1) throws -> (
    shape: [Int], values: [Double]
  ) {
    try decode(readMaybeGzip(path), file: path, scale: scale)
  }

  /// Decodes IDX bytes. Rejects a bad magic number, an unsupported type, and a size that
  /// does not match the header, naming the byte offset.
  public static func decode(_ bytes: [UInt8], file: String, scale: Double = 1) throws
    -> (shape: [Int], values: [Double])
  {
    guard bytes.count >= 4 else {
      throw DataError(file, "not an IDX file: \(bytes.count) bytes, header needs 4")
    }
    guard bytes[0] == 0, bytes[1] == 0 else {
      throw DataError(
        file, "not an IDX file: magic number starts \(bytes[0]) \(bytes[1]), expected 0 0")
    }
    let typeCode = bytes[2]
    let rank = Int(bytes[3])
    let width: Int
    switch typeCode {
    case 0x08, 0x09: width = 1
    case 0x0B: width = 2
    case 0x0C, 0x0D: width = 4
    case 0x0E: width = 8
    default:
      throw DataError(
        file, "unsupported IDX element type 0x\(String(typeCode, radix: 16)) at byte 2")
    }
    guard rank >= 1, bytes.count >= 4 + 4 * rank else {
      throw DataError(
        file,
        "truncated IDX header: rank \(rank) needs \(4 + 4 * rank) bytes, file has \(bytes.count)")
    }
    var shape: [Int] = []
    var count = 1
    for axis in 0..<rank {
      let o = 4 + 4 * axis
      let dim = Int(
        UInt32(bytes[o]) << 24 | UInt32(bytes[o + 1]) << 16 | UInt32(bytes[o + 2]) << 8
          | UInt32(bytes[o + 3]))
      shape.append(dim)
      let (product, overflow) = count.multipliedReportingOverflow(by: dim)
      guard !overflow, product <= 1 << 34 else {
        throw DataError(file, "IDX dimensions \(shape) are too large")
      }
      count = product
    }
    let start = 4 + 4 * rank
    let expected = start + count * width
    guard bytes.count == expected else {
      let what = bytes.count < expected ? "truncated" : "too long"
      throw DataError(
        file, "\(what): header \(shape) needs \(expected) bytes, file has \(bytes.count)")
    }
    var values = [Double](repeating: 0, count: count)
    for i in 0..<count {
      let o = start + i * width
      var raw: UInt64 = 0
      for k in 0..<width { raw = raw << 8 | UInt64(bytes[o + k]) }
      let v: Double
      switch typeCode {
      case 0x08: v = Double(raw)
      case 0x09: v = Double(Int8(truncatingIfNeeded: raw))
      case 0x0B: v = Double(Int16(truncatingIfNeeded: raw))
      case 0x0C: v = Double(Int32(truncatingIfNeeded: raw))
      case 0x0D: v = Double(Float(bitPattern: UInt32(raw)))
      default: v = Double(bitPattern: raw)
      }
      values[i] = v * scale
    }
    return (shape, values)
  }

  /// Encodes unsigned bytes as IDX (type 0x08), for fixtures and exports.
  public static func encodeBytes(shape: [Int], values: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0, 0, 0x08, UInt8(shape.count)]
    for dim in shape { out += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: dim >> $0) } }
    return out + values
  }
}

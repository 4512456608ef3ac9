import CZlib
import Foundation

/// Reads a file, inflating it when it is gzip-compressed (by its magic bytes, not its name).
public func readMaybeGzip(_ path: String) throws -> [UInt8] {
  guard let data = FileManager.default.contents(atPath: path) else {
    throw DataError(path, "cannot read the file (missing or unreadable)")
  }
  let bytes = [UInt8](data)
  guard bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else { return bytes }
  return try gunzip(bytes, file: path)
}

/// Inflates gzip data with zlib; a truncated or corrupt stream is a `DataError`.
public func gunzip(_ input: [UInt8], file: String) throws -> [UInt8] {
  var stream = z_stream()
  // 16 + MAX_WBITS: expect a gzip header.
  guard inflateInit2_(&stream, 16 + 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
  else {
    throw DataError(file, "zlib could not start")
  }
  defer { inflateEnd(&stream) }
  var output: [UInt8] = []
  output.reserveCapacity(input.count * 4)
  var chunk = [UInt8](repeating: 0, count: 1 << 16)
  var status: Int32 = Z_OK
  var input = input
  try input.withUnsafeMutableBufferPointer { inBuf in
    stream.next_in = inBuf.baseAddress
    stream.avail_in = uInt(inBuf.count)
    repeat {
      let produced = chunk.withUnsafeMutableBufferPointer { outBuf -> Int in
        stream.next_out = outBuf.baseAddress
        stream.avail_out = uInt(outBuf.count)
        status = inflate(&stream, Z_NO_FLUSH)
        return outBuf.count - Int(stream.avail_out)
      }
      output.append(contentsOf: chunk[0..<produced])
      if status == Z_BUF_ERROR && stream.avail_in == 0 {
        throw DataError(file, "truncated gzip stream after \(output.count) bytes")
      }
      guard status == Z_OK || status == Z_STREAM_END else {
        throw DataError(file, "corrupt gzip data (zlib status \(status))")
      }
    } while status != Z_STREAM_END
  }
  return output
}

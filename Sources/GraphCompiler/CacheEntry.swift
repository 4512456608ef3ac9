/// One entry of the system compiler's cache: a shared library, and after it a trailer that
/// names the program it was built for and checks every byte.
///
/// The trailer is one line of ASCII, `trailerSize` bytes:
/// ```
/// graphc-cache-entry-1 key=<32 hex digits> size=<16 hex digits> hash=<32 hex digits>\n
/// ```
/// `key` is the program's key (the entry's file name without `.so`), `size` the library's
/// length, and `hash` the `StableHash` of every byte before it (the library and the trailer
/// up to `hash=`). So an entry cut short has no trailer where one should be, a damaged one
/// fails its hash, and another program's entry copied into place names another key. The
/// library itself ignores the trailer (ELF locates everything from its header); graphc
/// never loads an entry in place anyway, but a verified copy of its library (see `SystemCC`).
struct CacheEntry: Equatable, Sendable {
  /// The key of the program the library was built from: 32 lowercase hex digits.
  var key: String
  /// The shared library's bytes.
  var library: [UInt8]

  /// The trailer's length in bytes.
  static let trailerSize = 118
  /// The largest entry graphc writes or reads (generous: libraries are tens of kilobytes,
  /// a few megabytes for graphs with large constants).
  static let maximumSize = 256 << 20
  /// Names the format; part of every key, so a new format never meets an old entry.
  static let format = "graphc-cache-entry-1"

  /// The entry's bytes: the library, then its trailer.
  var encoded: [UInt8] {
    var bytes = library
    bytes += Self.trailerBeforeHash(key: key, size: library.count).utf8
    bytes += StableHash.hex(bytes: bytes).utf8
    bytes.append(UInt8(ascii: "\n"))
    return bytes
  }

  init(key: String, library: [UInt8]) {
    self.key = key
    self.library = library
  }

  /// The entry `bytes` hold, checked whole: a complete trailer, a well-formed key, the
  /// library's size and the hash must all agree with the bytes.
  init(decoding bytes: [UInt8]) throws(CacheEntryProblem) {
    let size = bytes.count - Self.trailerSize
    guard size >= 0 else { throw .incomplete }
    let trailer = Array(bytes[size...])
    // The fixed parts of the trailer, by offset: the format and the three field names.
    let fixed: [(offset: Int, text: String)] = [
      (0, Self.format + " key="), (57, " size="), (79, " hash="), (117, "\n"),
    ]
    for (offset, text) in fixed {
      guard trailer[offset..<offset + text.utf8.count].elementsEqual(text.utf8) else {
        throw .incomplete
      }
    }
    let key = String(decoding: trailer[25..<57], as: UTF8.self)
    let before = Self.trailerBeforeHash(key: key, size: size)
    guard Self.isKey(key), trailer[..<85].elementsEqual(before.utf8) else { throw .corrupt }
    let hash = String(decoding: trailer[85..<117], as: UTF8.self)
    guard StableHash.hex(bytes: bytes[..<(size + 85)]) == hash else { throw .corrupt }
    self.init(key: key, library: Array(bytes[..<size]))
  }

  /// The trailer up to and including `hash=` (85 bytes for a well-formed key).
  private static func trailerBeforeHash(key: String, size: Int) -> String {
    let digits = String(size, radix: 16)
    let size16 = String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    return "\(format) key=\(key) size=\(size16) hash="
  }

  /// True for 32 lowercase hex digits.
  static func isKey(_ text: String) -> Bool {
    text.utf8.count == 32
      && text.utf8.allSatisfy {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
          || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
      }
  }
}

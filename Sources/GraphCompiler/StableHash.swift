/// A stable 128-bit hash: FNV-1a, written as 32 hex digits.
///
/// Names cache entries (over the C text and the build's settings) and checks them (over an
/// entry's bytes). Not cryptographic: it tells damaged or mixed-up entries from good ones,
/// not a forger with write access to the cache folder, who could write a consistent entry
/// anyway. The same input gives the same digits on every machine and run.
enum StableHash {
  /// The hash of `parts`, with a separator after each, so `["ab", "c"]` and `["a", "bc"]`
  /// differ.
  static func hex(_ parts: [String]) -> String {
    var state = State()
    for part in parts {
      state.add(part.utf8)
      state.add(0xff)  // the separator: no byte of UTF-8 text is 0xff
    }
    return state.hex
  }

  /// The hash of a byte sequence.
  static func hex(bytes: some Sequence<UInt8>) -> String {
    var state = State()
    state.add(bytes)
    return state.hex
  }

  private struct State {
    var h: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
    static let prime: UInt128 = 0x0000_0000_0100_0000_0000_0000_0000_013b

    mutating func add(_ byte: UInt8) {
      h ^= UInt128(byte)
      h = h &* Self.prime
    }

    mutating func add(_ bytes: some Sequence<UInt8>) {
      for byte in bytes { add(byte) }
    }

    var hex: String {
      let digits = String(h, radix: 16)
      return String(repeating: "0", count: 32 - digits.count) + digits
    }
  }
}

import Testing

@testable import GraphCompiler

@Suite struct StableHashTests {
  /// The published FNV-1a 128-bit test vectors (the empty input gives the offset basis).
  @Test(arguments: [
    ("", "6c62272e07bb014262b821756295c58d"),
    ("a", "d228cb696f1a8caf78912b704e4a8964"),
    ("foobar", "343e1662793c64bf6f0d3597ba446f18"),
  ])
  func bytesMatchPublishedVectors(_ text: String, _ digits: String) {
    #expect(StableHash.hex(bytes: Array(text.utf8)) == digits)
  }

  /// Parts are the bytes of each part followed by a 0xff separator.
  @Test func partsAreSeparated() {
    #expect(StableHash.hex(["ab", "c"]) == StableHash.hex(bytes: [0x61, 0x62, 0xff, 0x63, 0xff]))
    #expect(StableHash.hex(["ab", "c"]) != StableHash.hex(["a", "bc"]))
  }
}

import Foundation
import Testing

@testable import GraphCompiler

@Suite struct CacheEntryTests {
  let key = "0123456789abcdef0123456789abcdef"
  let library: [UInt8] = Array("\u{7f}ELF library bytes".utf8)

  /// The documented layout, written out by hand: library, then one line of trailer.
  @Test func encodingFollowsTheDocumentedLayout() throws {
    let bytes = CacheEntry(key: key, library: library).encoded
    #expect(bytes.count == library.count + CacheEntry.trailerSize)
    #expect(Array(bytes.prefix(library.count)) == library)
    let trailer = String(decoding: bytes.suffix(CacheEntry.trailerSize), as: UTF8.self)
    #expect(library.count == 18)
    let signed = "graphc-cache-entry-1 key=\(key) size=0000000000000012 hash="
    #expect(trailer.hasPrefix(signed))
    let hash = StableHash.hex(bytes: library + Array(signed.utf8))
    #expect(trailer == signed + hash + "\n")
    #expect(try CacheEntry(decoding: bytes) == CacheEntry(key: key, library: library))
  }

  /// Every kind of damage is refused, as the problem it is.
  @Test func damageIsRefused() {
    let good = CacheEntry(key: key, library: library).encoded
    var flipped = good
    flipped[3] ^= 0x10
    var badHash = good
    badHash[good.count - 3] = badHash[good.count - 3] == 0x30 ? 0x31 : 0x30
    let wrongSize = Array(good.dropFirst())  // one byte fewer, same trailer
    let upper = CacheEntry(key: key.uppercased(), library: library).encoded
    let cases: [(String, [UInt8], CacheEntryProblem)] = [
      ("empty", [], .incomplete),
      ("trailer cut", Array(good.dropLast()), .incomplete),
      (
        "only a trailer's worth of library", Array(good.prefix(CacheEntry.trailerSize)), .incomplete
      ),
      (
        "newer format",
        Array(
          String(decoding: good, as: UTF8.self)
            .replacingOccurrences(of: "entry-1 key", with: "entry-2 key").utf8), .incomplete
      ),
      ("flipped library byte", flipped, .corrupt),
      ("flipped hash digit", badHash, .corrupt),
      ("size disagrees", wrongSize, .corrupt),
      ("key not lowercase hex", upper, .corrupt),
    ]
    for (label, bytes, problem) in cases {
      #expect(throws: problem, "\(label)") { try CacheEntry(decoding: bytes) }
    }
  }

  /// Nothing at the path is no entry; a file written by `publish` reads back; `publish`
  /// never replaces what is there.
  @Test func publishAndFind() throws {
    let folder = try ScratchFolder(in: FileManager.default.temporaryDirectory.path)
    defer { try? FileManager.default.removeItem(atPath: folder.path) }
    let path = folder.path + "/\(key).so"
    #expect(try CacheEntry.find(at: path) == nil)
    let entry = CacheEntry(key: key, library: library)
    try entry.publish(at: path, via: folder)
    #expect(try CacheEntry.find(at: path) == entry)
    #expect(!FileManager.default.fileExists(atPath: folder.entry), "staging file removed")
    try CacheEntry(key: key, library: [1, 2, 3]).publish(at: path, via: folder)
    #expect(try CacheEntry.find(at: path) == entry, "the first entry stays")
  }

  /// The warning texts, which complete "the cache entry PATH ...".
  @Test func problemMessages() {
    let table: [(CacheEntryProblem, String)] = [
      (.directory, "is a directory"),
      (.symbolicLink, "is a symbolic link"),
      (.fifo, "is a FIFO"),
      (.device, "is a device"),
      (.socket, "is a socket"),
      (
        .tooLarge(bytes: 300_000_000),
        "is too large for a graphc library (300000000 bytes, at most 268435456)"
      ),
      (.incomplete, "is not a complete graphc cache entry (truncated, or another file)"),
      (.corrupt, "is corrupt (its checksum does not match its contents)"),
      (.otherProgram(key: key), "holds another program (key \(key))"),
      (.wrongFingerprint, "holds a library whose fingerprint names another program"),
      (.changed, "changed while it was being read"),
      (.unreadable("Permission denied"), "cannot be read: Permission denied"),
    ]
    for (problem, text) in table { #expect(problem.description == text) }
  }
}

import Foundation
import Testing

@testable import GraphCompiler

@Suite struct ScratchFolderTests {
  /// A new private folder each time; removing it deletes only its own files.
  @Test func privateFolderRemovesOnlyItsOwnFiles() throws {
    let parent = FileManager.default.temporaryDirectory.path
    let a = try ScratchFolder(in: parent)
    let b = try ScratchFolder(in: parent)
    #expect(a.path != b.path)
    let mode = try FileManager.default.attributesOfItem(atPath: a.path)[.posixPermissions] as? Int
    #expect(mode == 0o700)
    FileManager.default.createFile(atPath: a.library, contents: Data([1]))
    a.remove()
    #expect(!FileManager.default.fileExists(atPath: a.path))
    let stranger = b.path + "/not-ours"
    FileManager.default.createFile(atPath: stranger, contents: Data([2]))
    b.remove()
    #expect(FileManager.default.fileExists(atPath: stranger), "a file it did not make stays")
    try FileManager.default.removeItem(atPath: b.path)
  }

  /// A file is created, never replaced.
  @Test func createFileNeverReplaces() throws {
    let folder = try ScratchFolder(in: FileManager.default.temporaryDirectory.path)
    defer { try? FileManager.default.removeItem(atPath: folder.path) }
    try folder.createFile(folder.library, bytes: [1, 2, 3], mode: 0o600, durably: true)
    #expect(FileManager.default.contents(atPath: folder.library) == Data([1, 2, 3]))
    #expect(throws: CompileError.self) {
      try folder.createFile(folder.library, bytes: [4], mode: 0o600, durably: false)
    }
    #expect(FileManager.default.contents(atPath: folder.library) == Data([1, 2, 3]))
  }

  @Test func unwritableParentIsABackendError() {
    #expect(throws: CompileError.backend("cannot write to the cache folder /nonexistent/dir")) {
      try ScratchFolder(in: "/nonexistent/dir")
    }
  }
}

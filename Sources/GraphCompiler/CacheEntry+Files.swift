import Foundation

/// Reading and writing cache entries, trusting nothing found on disk.
extension CacheEntry {
  /// The entry stored at `path`, or nil when nothing is there. Throws the problem when
  /// something else is there; whatever it is, it is left untouched.
  ///
  /// Only a regular file is ever opened: `lstat` reports folders, symbolic links, FIFOs,
  /// devices and sockets without opening them. The open itself adds `O_NOFOLLOW` and
  /// `O_NONBLOCK`, and `fstat` must find the very file `lstat` saw, so a link or FIFO
  /// swapped in between can neither be followed nor block. The file is read whole into
  /// memory (never mapped: a mapped file cut short raises SIGBUS when touched), then
  /// decoded and checked (`CacheEntry(decoding:)`).
  static func find(at path: String) throws(CacheEntryProblem) -> CacheEntry? {
    var seen = stat()
    guard lstat(path, &seen) == 0 else {
      if errno == ENOENT { return nil }
      throw .unreadable(String(cString: strerror(errno)))
    }
    switch seen.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: throw .directory
    case S_IFLNK: throw .symbolicLink
    case S_IFIFO: throw .fifo
    case S_IFCHR, S_IFBLK: throw .device
    default: throw .socket
    }
    let size = Int(seen.st_size)
    guard size <= maximumSize else { throw .tooLarge(bytes: size) }
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
    defer { close(fd) }
    var opened = stat()
    guard fstat(fd, &opened) == 0, opened.st_mode & S_IFMT == S_IFREG,
      opened.st_dev == seen.st_dev, opened.st_ino == seen.st_ino
    else { throw .changed }
    // One byte more than expected, to notice a file that grew meanwhile.
    let bytes = try readAll(fd, limit: size + 1)
    guard bytes.count == size else { throw .changed }
    return try CacheEntry(decoding: bytes)
  }

  /// Publishes the entry at `path`, durably and without ever replacing anything: writes it
  /// to a new file of `scratch` (in the cache folder, so on the same file system), flushes
  /// it to disk, hard-links it to `path` (which fails if anything at all is there, and then
  /// nothing is published), and flushes the folder. A reader therefore sees no entry or a
  /// complete one, even after a power cut. Throws `CompileError.backend` with the system's
  /// reason when the entry cannot be written (or would be too large for `find` to read).
  func publish(at path: String, via scratch: ScratchFolder) throws(CompileError) {
    let bytes = encoded
    guard bytes.count <= Self.maximumSize else {
      throw .backend("the library is too large to cache (\(bytes.count) bytes)")
    }
    try scratch.createFile(scratch.entry, bytes: bytes, mode: 0o644, durably: true)
    defer { unlink(scratch.entry) }
    // Another process may have published the same entry first, or something else may be
    // at the path: either way it stays, and this entry is not published.
    guard link(scratch.entry, path) == 0 else {
      if errno == EEXIST { return }
      throw Self.publishError(path)
    }
    let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY)
    guard folder >= 0 else { throw Self.publishError(path) }
    defer { close(folder) }
    guard fsync(folder) == 0 else { throw Self.publishError(path) }
  }

  /// Reads from `fd` until the end of the file or `limit` bytes.
  private static func readAll(_ fd: Int32, limit: Int) throws(CacheEntryProblem) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: limit)
    var count = 0
    while count < limit {
      let n = bytes[count...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
      if n == 0 { break }
      count += n
    }
    return Array(bytes[..<count])
  }

  private static func publishError(_ path: String) -> CompileError {
    .backend("cannot write the cache entry \(path): \(String(cString: strerror(errno)))")
  }
}

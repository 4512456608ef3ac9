/// Why what sits at a cache entry's path cannot be used as that entry.
///
/// It is left where it is (it may be a user's file, or another process's), and the graph is
/// built privately instead. All wording lives in `description`, which completes the sentence
/// "the cache entry PATH ...".
enum CacheEntryProblem: Error, Equatable, Sendable, CustomStringConvertible {
  /// A folder.
  case directory
  /// A symbolic link, which is never followed.
  case symbolicLink
  /// A named pipe, which is never opened (reading it would wait for a writer).
  case fifo
  /// A character or block device, which is never opened.
  case device
  /// A socket.
  case socket
  /// A regular file larger than any library graphc writes.
  case tooLarge(bytes: Int)
  /// A file without a complete trailer: cut short, or never an entry.
  case incomplete
  /// A complete entry whose checksum does not match its bytes.
  case corrupt
  /// An intact entry of another program (its key is not this path's).
  case otherProgram(key: String)
  /// An intact entry whose library, once loaded, names another program.
  case wrongFingerprint
  /// The file changed while it was read.
  case changed
  /// The path could not be examined or read (the system's reason).
  case unreadable(String)

  var description: String {
    switch self {
    case .directory: "is a directory"
    case .symbolicLink: "is a symbolic link"
    case .fifo: "is a FIFO"
    case .device: "is a device"
    case .socket: "is a socket"
    case .tooLarge(let bytes):
      "is too large for a graphc library (\(bytes) bytes, at most \(CacheEntry.maximumSize))"
    case .incomplete: "is not a complete graphc cache entry (truncated, or another file)"
    case .corrupt: "is corrupt (its checksum does not match its contents)"
    case .otherProgram(let key): "holds another program (key \(key))"
    case .wrongFingerprint: "holds a library whose fingerprint names another program"
    case .changed: "changed while it was being read"
    case .unreadable(let reason): "cannot be read: \(reason)"
    }
  }
}

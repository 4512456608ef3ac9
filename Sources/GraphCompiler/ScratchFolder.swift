import Foundation
import Synchronization

/// A folder of one compile's own files: made by `mkdtemp` inside the cache folder (a fresh,
/// unpredictable name, mode 0700), so no other user can put, change or swap a file in it.
///
/// Inside the cache folder rather than the system's temporary folder because the library
/// is loaded from here, and temporary folders are often mounted without execute permission;
/// the cache folder is where libraries are built anyway.
struct ScratchFolder {
  /// The folder's path.
  let path: String

  /// Makes a new folder in `parent`. Throws `CompileError.backend` when `parent` cannot be
  /// written.
  init(in parent: String) throws(CompileError) {
    // mkdtemp replaces the Xs of the template in place.
    var template = Array("\(parent)/build-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress.flatMap { mkdtemp($0) } != nil
    }
    guard made else { throw CompileError.backend("cannot write to the cache folder \(parent)") }
    path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let number = Self.serial.withLock { n in
      n += 1
      return n
    }
    library = "\(path)/library-\(number).so"
  }

  /// The C program.
  var source: String { path + "/program.c" }
  /// The library: built here, or copied here from a verified entry; loaded from here.
  ///
  /// Its name holds a number never used before in this process: `dlopen` hands back an
  /// already loaded library whose path is the same string, and `mkdtemp` may reuse the name
  /// of a removed folder while a library loaded from it is still in use.
  let library: String
  /// A new entry, before it is linked into the cache.
  var entry: String { path + "/entry" }

  private static let serial = Mutex(0)

  /// Creates `file`, a new file of this folder (`O_EXCL`: never an existing one), holding
  /// `bytes`, with permissions `mode`; `durably` flushes it to disk before returning.
  func createFile(_ file: String, bytes: [UInt8], mode: mode_t, durably: Bool)
    throws(CompileError)
  {
    let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
    guard fd >= 0 else { throw Self.writeError(file) }
    defer { close(fd) }
    var written = 0
    while written < bytes.count {
      let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw Self.writeError(file) }
      written += n
    }
    if durably && fsync(fd) != 0 { throw Self.writeError(file) }
  }

  /// Removes the files above and the folder. Anything else found in it stays (and so does
  /// the folder): only this process's own files are ever deleted. A loaded library stays
  /// mapped after its file is gone.
  func remove() {
    for file in [source, library, entry] { unlink(file) }
    rmdir(path)
  }

  private static func writeError(_ file: String) -> CompileError {
    .backend("cannot write \(file): \(String(cString: strerror(errno)))")
  }
}

import CCodegen
import CTinyCC
import Foundation

/// The prelude's `gc_kernel`: computes outer iterations `[lo, hi)` over a buffer table.
typealias KernelFunction =
  @convention(c) (UnsafePointer<UnsafeMutableRawPointer?>?, Int64, Int64) -> Void

/// The prelude's `gc_parallel_for`: runs a kernel over `[0, n)`, possibly split.
typealias ParallelFor =
  @convention(c) (
    UnsafeMutableRawPointer?, KernelFunction?, UnsafePointer<UnsafeMutableRawPointer?>?, Int64
  ) -> Void

/// The signature of `gc_entry` (see `CProgram`).
typealias EntryFunction =
  @convention(c) (
    UnsafePointer<UnsafeRawPointer?>?, UnsafePointer<UnsafeMutableRawPointer?>?,
    UnsafeMutableRawPointer?, ParallelFor?, UnsafeMutableRawPointer?
  ) -> Int32

/// Machine code with a `gc_entry`, alive as long as this object.
protocol LoadedCode: AnyObject, Sendable {
  var entry: EntryFunction { get }
}

/// Machine code compiled by TinyCC, in memory graphc owns.
///
/// The code was relocated into a private mapping that is made read+execute afterwards
/// (no writable and executable page); the `TCCState` is deleted right after relocation, so
/// what stays resident is only the code. The mapping lives exactly as long as this object.
final class TinyCCModule: LoadedCode, @unchecked Sendable {
  let entry: EntryFunction
  private let memory: UnsafeMutableRawPointer
  private let size: Int

  fileprivate init(entry: EntryFunction, memory: UnsafeMutableRawPointer, size: Int) {
    self.entry = entry
    self.memory = memory
    self.size = size
  }

  deinit { munmap(memory, size) }
}

/// The only code that talks to libtcc.
///
/// Hermetic: `-nostdlib` disables symbol lookup in the process, so the generated code can
/// call exactly the libm and CBLAS functions the prelude declares, which are passed in with
/// `tcc_add_symbol` (see `NativeSymbols`). libtcc 0.9.27 keeps global state and creates its own lock lazily (a
/// race on first use), so every libtcc call happens under one process-wide lock; compiles
/// are serialised inside libtcc anyway, so the lock costs nothing.
enum TinyCC {
  private static let lock = NSLock()

  /// Collects libtcc's error and warning messages.
  private final class MessageSink {
    var messages: [String] = []
  }

  /// Compiles `source` and returns its `entry` function. Throws `CompileError.cCompile` with
  /// the lines around the first error, or `CompileError.link` for unresolved symbols.
  static func compile(_ source: String, entry: String) throws -> TinyCCModule {
    lock.lock()
    defer { lock.unlock() }
    guard let state = tcc_new() else { throw CompileError.backend("tcc_new failed") }
    defer { tcc_delete(state) }
    let sink = MessageSink()
    tcc_set_error_func(state, Unmanaged.passUnretained(sink).toOpaque()) { opaque, message in
      guard let opaque, let message else { return }
      let sink = Unmanaged<MessageSink>.fromOpaque(opaque).takeUnretainedValue()
      sink.messages.append(String(cString: message))
    }
    tcc_set_options(state, "-nostdlib")
    _ = tcc_set_output_type(state, TCC_OUTPUT_MEMORY)
    if tcc_compile_string(state, source) != 0 {
      throw CompileError.cCompile(
        message: sink.messages.joined(separator: "\n"), excerpt: excerpt(source, sink.messages))
    }
    for (name, address) in NativeSymbols.table {
      // A function that was not found is simply not bound: code that calls it fails to
      // link with tcc's "undefined symbol" message.
      guard let address = UnsafeRawPointer(bitPattern: address) else { continue }
      _ = tcc_add_symbol(state, name, address)
    }
    let size = Int(tcc_relocate(state, nil))
    guard size > 0 else { throw CompileError.link(sink.messages.joined(separator: "\n")) }
    let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    let mapped = (size + pageSize - 1) / pageSize * pageSize
    guard
      let memory = mmap(nil, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
      memory != MAP_FAILED
    else { throw CompileError.backend("could not map \(mapped) bytes for code") }
    guard tcc_relocate(state, memory) >= 0 else {
      munmap(memory, mapped)
      throw CompileError.link(sink.messages.joined(separator: "\n"))
    }
    // The kernels have no writable globals, so the code can be read+execute only.
    mprotect(memory, mapped, PROT_READ | PROT_EXEC)
    guard let symbol = tcc_get_symbol(state, entry) else {
      munmap(memory, mapped)
      throw CompileError.link("entry point '\(entry)' not found")
    }
    let function = unsafeBitCast(symbol, to: EntryFunction.self)
    return TinyCCModule(entry: function, memory: memory, size: mapped)
  }

  /// The source lines around the line named in the first `<string>:LINE:` message.
  static func excerpt(_ source: String, _ messages: [String]) -> String {
    guard let first = messages.first, let range = first.range(of: "<string>:"),
      let line = Int(first[range.upperBound...].prefix { $0.isNumber })
    else { return "" }
    let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    let lo = max(1, line - 3)
    let hi = min(lines.count, line + 3)
    guard lo <= hi else { return "" }
    return (lo...hi).map { n in
      let marker = n == line ? ">" : " "
      return "\(marker) \(String(n).leftPadded(to: 5)) | \(lines[n - 1])"
    }.joined(separator: "\n")
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    String(repeating: " ", count: max(0, width - count)) + self
  }
}

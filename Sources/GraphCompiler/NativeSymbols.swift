import CCodegen
import Foundation

/// Addresses of the C functions generated code calls: libm's, CBLAS's matrix products, and
/// graphc's own `gc_allreduce` (`RankSums`).
///
/// Looked up once per process. The TinyCC backend binds them by name (hermetic linking);
/// a `.so` from the system compiler links libm and OpenBLAS itself. Addresses are kept as
/// integers so the table is `Sendable`.
enum NativeSymbols {
  /// Every function the prelude declares, with its address (0 when not found).
  static let table: [(name: String, address: UInt)] = {
    let blas = openBLAS
    return Prelude.mathFunctions.map { ($0, lookup($0, in: 0)) }
      + Prelude.blasFunctions.map { ($0, lookup($0, in: blas)) }
      + [("gc_allreduce", RankSums.hostAddress)]
  }()

  /// Finds OpenBLAS and sets its threads (see `openBLAS`), once per process: the TinyCC
  /// backend does so through `table`, the system compiler's backend calls this.
  static func setUpBLAS() { _ = openBLAS }

  /// OpenBLAS, set up once: found in the process (graphc links it) or loaded by name.
  ///
  /// Threads: graphc splits a matrix product by rows across its own threads
  /// (`CompileOptions.threads`), so each BLAS call should use one thread. Unless the user
  /// set `OPENBLAS_NUM_THREADS` (or `GOTO_NUM_THREADS`, `OMP_NUM_THREADS`), graphc calls
  /// `openblas_set_num_threads(1)`; a user who sets it gets BLAS's own threads inside each
  /// call as well (and may oversubscribe the cores with `threads` > 1).
  private static let openBLAS: UInt = {
    var handle: UnsafeMutableRawPointer? = nil
    if dlsym(UnsafeMutableRawPointer(bitPattern: 0), "cblas_sgemm") == nil {
      handle =
        dlopen("libopenblas.so.0", RTLD_NOW | RTLD_GLOBAL)
        ?? dlopen("libopenblas.so", RTLD_NOW | RTLD_GLOBAL)
    }
    let environment = ProcessInfo.processInfo.environment
    let userChoice = ["OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"].contains {
      environment[$0] != nil
    }
    let setThreads = lookup("openblas_set_num_threads", in: UInt(bitPattern: handle))
    if !userChoice, let address = UnsafeRawPointer(bitPattern: setThreads) {
      typealias SetThreads = @convention(c) (Int32) -> Void
      unsafeBitCast(address, to: SetThreads.self)(1)
    }
    return UInt(bitPattern: handle)
  }()

  /// The address of `name` in `handle`, or anywhere in the process; 0 when not found.
  private static func lookup(_ name: String, in handle: UInt) -> UInt {
    let anywhere = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
    if let address = dlsym(anywhere, name) { return UInt(bitPattern: address) }
    guard let handle = UnsafeMutableRawPointer(bitPattern: handle),
      let address = dlsym(handle, name)
    else { return 0 }
    return UInt(bitPattern: address)
  }
}

import CCodegen
import GraphIR
import Synchronization

/// Sums buffers over the ranks of a data-parallel run: what a compiled `allreduce` calls.
///
/// graphc's generated code calls the prelude's `gc_allreduce(data, count, dtype)`; in this
/// process that call reaches the summer installed with `RankSums.install` (the one that
/// `GraphTraining`'s `Trainer` installs for its communicator), or does nothing when none is.
public protocol RankSummer: AnyObject, Sendable {
  /// Replaces the `count` values of `dtype` at `data` by their sum over all ranks, the same
  /// on every rank; throws when the sum cannot be formed (a rank died, timed out, ...).
  func sumInPlace(_ data: UnsafeMutableRawPointer, count: Int, dtype: DType) throws
}

/// The process's summer for compiled `allreduce` calls, and the error of a failed one.
public enum RankSums {
  private struct State {
    var summer: (any RankSummer)?
    var failure: (any Error)?
  }
  private static let state = Mutex(State())

  /// Makes compiled `allreduce` calls in this process use `summer` (nil: no ranks to sum
  /// over, each call leaves its buffer as it is).
  public static func install(_ summer: (any RankSummer)?) {
    state.withLock { $0.summer = summer }
  }

  /// The error of the last failed call, cleared (nil if none failed since).
  static func takeFailure() -> (any Error)? {
    state.withLock { state in
      defer { state.failure = nil }
      return state.failure
    }
  }

  /// The prelude's `gc_allreduce`, as the generated code calls it: 0 on success, else 1 with
  /// the error kept for `takeFailure`.
  static let host: @convention(c) (UnsafeMutableRawPointer?, Int64, Int32) -> Int32 = {
    data, count, dtype in
    guard let data, let summer = RankSums.state.withLock({ $0.summer }) else { return 0 }
    do {
      try summer.sumInPlace(data, count: Int(count), dtype: dtype == 1 ? .f64 : .f32)
      return 0
    } catch {
      RankSums.state.withLock { $0.failure = error }
      return 1
    }
  }

  /// The address of `host`, for the code backends to bind `gc_allreduce` to.
  static var hostAddress: UInt { UInt(bitPattern: unsafeBitCast(host, to: UnsafeRawPointer.self)) }
}

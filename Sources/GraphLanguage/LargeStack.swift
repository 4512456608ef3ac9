import Foundation

/// Runs `body` on a fresh thread with a large stack and returns its result.
///
/// Parsing recurses once per level of nesting, and a debug build spends several kilobytes
/// of stack per level; the caller's thread may be a test or task thread with much less than
/// the 8 MiB of a main thread. Running on a thread we size ourselves makes the nesting limit
/// (`Parser.maximumNesting`) safe whatever thread calls the parser. Untouched stack pages
/// cost no memory.
func withLargeStack<T: Sendable>(bytes: Int = 256 << 20, _ body: @escaping @Sendable () throws -> T)
  throws -> T
{
  let box = ResultBox<T>()
  let done = DispatchSemaphore(value: 0)
  let thread = Thread {
    box.result = Result { try body() }
    done.signal()
  }
  thread.stackSize = bytes
  thread.start()
  done.wait()
  guard let result = box.result else {
    preconditionFailure("large-stack thread finished without a result")
  }
  return try result.get()
}

/// Carries a result from the worker thread; the semaphore orders the write before the read.
private final class ResultBox<T>: @unchecked Sendable {
  var result: Result<T, any Error>?
}

import Foundation

/// Median wall time in milliseconds of `runs` calls (after one warm-up call).
func medianMilliseconds(runs: Int, _ body: () throws -> Void) rethrows -> Double {
  try body()
  var times: [Double] = []
  for _ in 0..<runs {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
  }
  times.sort()
  return times[times.count / 2]
}

/// One line of the results table.
struct Row: Encodable {
  var workload: String
  var variant: String
  var milliseconds: Double
  var ratio: Double?
  var note: String?
}

/// Median CPU time of this thread in milliseconds of `runs` calls (after one warm-up call):
/// on a machine shared with other work, wall time also counts the time spent waiting for a
/// core, CPU time does not. Only for single-threaded work (one kernel thread, one BLAS thread).
func medianCPUMilliseconds(runs: Int, _ body: () throws -> Void) rethrows -> Double {
  try body()
  var times: [Double] = []
  for _ in 0..<runs {
    let start = threadCPUMilliseconds()
    try body()
    times.append(threadCPUMilliseconds() - start)
  }
  times.sort()
  return times[times.count / 2]
}

/// The CPU time this thread has used, in milliseconds.
func threadCPUMilliseconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
  return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
}

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

/// Median wall times in milliseconds of several bodies timed in turn, one call of each per
/// round, `runs` rounds (after one warm-up round): a change in the machine's load during the
/// measurement falls on all of them alike, so their ratios stay fair.
func interleavedMedianMilliseconds(runs: Int, _ bodies: [() throws -> Void]) throws -> [Double] {
  for body in bodies { try body() }
  var times = [[Double]](repeating: [], count: bodies.count)
  for _ in 0..<runs {
    for (k, body) in bodies.enumerated() {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      times[k].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
  }
  return times.map { $0.sorted()[$0.count / 2] }
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

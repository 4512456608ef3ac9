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

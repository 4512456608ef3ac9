import Foundation
import GraphIR

/// The functions of particle and saddle: which AD mode the reference uses for the outer and
/// the inner derivative (forward or reverse). They take the same input and give the same
/// result.
let descentModes = ["ff", "fr", "rf", "rr"]

/// A loop of a template that runs until a condition holds (a `while`), written as a
/// `repeat` of at most `count` steps whose carries stop changing once the condition holds.
///
/// The template reports, in the output `unfinished`, whether the loop was still running
/// after its last step (1) or not (0); the session then compiles the template again with
/// twice the count (see `GradBenchSession`), up to `GradBenchLoop.largestCount`.
struct GradBenchLoop {
  /// The template's placeholder for the count.
  let placeholder: String
  /// The output that is non-zero when the loop ran out of steps.
  let unfinished: String
  /// What the loop computes, for messages.
  let what: String
  /// The number of steps the compiled `repeat` runs.
  var count: Int

  /// The most steps a loop is given before the evaluate fails.
  static let largestCount = 1 << 16
}

extension GradBenchInstance {
  /// The template's values with the loops' counts.
  var valuesWithCounts: [String: String] {
    values.merging(loops.map { ($0.placeholder, "\($0.count)") }) { _, count in count }
  }

  /// Names the compiled graph: the key and the loops' counts.
  var compiledKey: String {
    ([key] + loops.map { "\($0.placeholder)=\($0.count)" }).joined(separator: ",")
  }
}

extension GradBenchModule {
  /// particle: w is the starting control. The first counts are the powers of two that hold
  /// the eval's input (w = 0: 93 descent steps, the first evaluating the start, and at most
  /// 355 Euler steps); other inputs may need more (w = 1: 1144 Euler steps).
  func particle(_ input: GradBenchFields) throws -> GradBenchInstance {
    let w = try input.number("w")
    guard w.isFinite else { throw GradBenchError("particle: w must be finite, got \(w)") }
    return GradBenchInstance(
      key: "", values: [:], inputs: ["w0": Tensor(w)],
      loops: [
        GradBenchLoop(
          placeholder: "outer", unfinished: "outer_unfinished", what: "the descent", count: 128
        ),
        GradBenchLoop(
          placeholder: "euler", unfinished: "euler_unfinished", what: "the Euler integration",
          count: 512),
      ])
  }

  /// saddle: start is float[2], the starting point of every descent. The first counts are
  /// the powers of two that hold the eval's input (start = [1, 1]: 171 outer steps and at most
  /// 171 inner steps, the first of each evaluating the start).
  func saddle(_ input: GradBenchFields) throws -> GradBenchInstance {
    let start = try input.tensor("start", rank: 1)
    guard start.shape == [2], start.scalars.allSatisfy(\.isFinite) else {
      throw GradBenchError("saddle: start must be two finite numbers, got \(start.scalars)")
    }
    return GradBenchInstance(
      key: "", values: [:], inputs: ["start": start],
      loops: [
        GradBenchLoop(
          placeholder: "outer", unfinished: "outer_unfinished", what: "the outer descent",
          count: 256),
        GradBenchLoop(
          placeholder: "inner", unfinished: "inner_unfinished", what: "the inner ascent",
          count: 256),
      ])
  }
}

import GraphIR
import Testing

/// Messages of builder errors, as text.
@Suite struct BuilderErrorTests {
  @Test func messages() throws {
    let b = GraphBuilder()
    let s = try b.input("s")
    let m = try b.input("m", .f32, shape: [2, 3])
    let cases: [(() throws -> Any, String)] = [
      ({ try b.sum(s.id, axes: [0]) }, "axis 0 is out of range in 'sum': a scalar has no axes"),
      (
        { try b.sum(m.id, axes: [2]) },
        "axis 2 is out of range in 'sum' for a tensor of rank 2 (expected -2 to 1)"
      ),
      ({ try b.input("s") }, "'s' is defined twice"),
      ({ try b.add(s.id, m.id) }, "dtype mismatch in '+': f64 + f32[2,3]"),
      (
        { try b.input("huge", .f32, shape: [1 << 20, 1 << 20]) },
        "shape [1048576, 1048576] is too large or negative (its axes may multiply to at most 17179869184, a zero-length axis counting as 1)"
      ),
      (
        { try b.reshape(m.id, to: [4, 2]) },
        "invalid operand to 'reshape': expected a shape with 6 elements like f32[2,3], got [4, 2]"
      ),
    ]
    for (call, message) in cases {
      #expect(throws: (any Error).self) { _ = try call() }
      do { _ = try call() } catch { #expect("\(error)" == message) }
    }
  }
}

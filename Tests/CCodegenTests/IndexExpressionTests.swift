import Testing

@testable import CCodegen

/// Index simplification against brute force: every expression is evaluated with C's integer
/// semantics at every point of its variables' ranges, simplified and unsimplified.
@Suite struct IndexExpressionTests {
  /// C's value of `e` with the variables bound by `env`.
  func value(_ e: IndexExpression, _ env: [String: Int]) -> Int {
    e.terms.reduce(e.constant) { total, term in
      let atom: Int =
        switch term.atom {
        case .variable(let name, _): env[name, default: 0]
        case .quotient(let inner, let d): value(inner, env) / d
        case .remainder(let inner, let m): value(inner, env) % m
        // An index element counts as a variable named by its buffer, in 0 ..< size.
        case .element(let buffer, _, _): env[buffer, default: 0]
        }
      return total + term.coefficient * atom
    }
  }

  @Test func coordinatesOfALoopNestAreItsVariables() {
    let nest = IndexMapping.nest("i", [16, 4, 24, 24])
    let offset = nest.offset(in: [16, 4, 24, 24])
    #expect(offset.text == "i0 * 2304 + i1 * 576 + i2 * 24 + i3")
    let again = IndexMapping.flat(offset).coordinates(in: [16, 4, 1, 24, 24])
    #expect(again.map(\.text) == ["i0", "i1", "0", "i2", "i3"])
    let slice = IndexMapping.multi(again).shifted(by: [0, 0, 0, 2, 3], shape: [16, 4, 1, 24, 24])
    #expect(
      slice.offset(in: [16, 4, 1, 28, 28]).text == "i0 * 3136 + i1 * 784 + i2 * 28 + i3 + 59")
  }

  @Test func aFlatLoopSplitsOnlyWhereItMust() {
    let i = IndexExpression.variable("i", extent: 12)
    let cs = IndexMapping.flat(i).coordinates(in: [3, 4])
    #expect(cs.map(\.text) == ["i / 4", "i % 4"])
    #expect(i.divided(by: 12).text == "0")
    #expect((i * 4 + 3).divided(by: 4).text == "i")
    #expect((i * 4 + 3).remainder(4).text == "3")
  }

  @Test func mayBeNegativeIsNeverSplit() {
    let i = IndexExpression.variable("i", extent: 10)
    let shifted = i + (-3)
    #expect(shifted.divided(by: 2).text == "(i - 3) / 2")
    #expect(shifted.remainder(2).text == "(i - 3) % 2")
  }

  /// Random affine expressions in two variables, divided and reduced by random divisors,
  /// nested twice, against C's arithmetic at every point.
  @Test func simplifiedEqualsDirectEverywhere() {
    var seed: UInt64 = 12345
    func next(_ n: Int) -> Int {
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((seed >> 33) % UInt64(n))
    }
    for _ in 0..<2000 {
      let (na, nb) = (1 + next(7), 1 + next(9))
      let a = IndexExpression.variable("a", extent: na)
      let b = IndexExpression.variable("b", extent: nb)
      let e = a * next(13) + b * (1 + next(6)) + (next(20) - 5)
      let (d, m, d2) = (1 + next(8), 1 + next(8), 1 + next(5))
      let simplified = e.divided(by: d).remainder(m).divided(by: d2) + e.remainder(d)
      for x in 0..<na {
        for y in 0..<nb {
          let env = ["a": x, "b": y]
          let direct = ((value(e, env) / d) % m) / d2 + value(e, env) % d
          #expect(value(simplified, env) == direct, "\(e.text) d \(d) m \(m) d2 \(d2)")
        }
      }
    }
  }
}

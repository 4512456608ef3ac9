import GraphIR
import Testing

/// Every simplification must give the same value as the unsimplified graph for every input,
/// NaN and infinities included (up to the sign of a zero), except where `Peephole` documents
/// otherwise (power-of-two constants combined across an overflow).
@Suite struct PeepholeExactnessTests {
  struct Rule: CustomTestStringConvertible, Sendable {
    let name: String
    let f: @Sendable (GraphBuilder, NodeID, NodeID) throws -> NodeID
    var testDescription: String { name }
  }

  static let rules: [Rule] = [
    Rule(name: "x*1, 1*x") { b, x, _ in
      try b.add(b.mul(x, b.scalar(1, like: x)), b.mul(b.scalar(1, like: x), x))
    },
    Rule(name: "x+0, x-0, 0+x") { b, x, y in
      try b.sub(b.add(x, b.scalar(0, like: x)), b.sub(y, b.scalar(0, like: x)))
    },
    Rule(name: "x/1, x/-1") { b, x, y in
      try b.add(b.div(x, b.scalar(1, like: x)), b.div(y, b.scalar(-1, like: x)))
    },
    Rule(name: "x^1, x^0") { b, x, y in
      try b.add(b.pow(x, b.scalar(1, like: x)), b.pow(y, b.scalar(0, like: x)))
    },
    Rule(name: "--x") { b, x, _ in try b.neg(b.neg(x)) },
    Rule(name: "-(c*x)") { b, x, _ in try b.neg(b.mul(b.scalar(3, like: x), x)) },
    Rule(name: "-(a-b)") { b, x, y in try b.neg(b.sub(x, y)) },
    Rule(name: "c*(-x)") { b, x, _ in try b.mul(b.scalar(3, like: x), b.neg(x)) },
    Rule(name: "(-a)*b, a*(-b)") { b, x, y in try b.sub(b.mul(b.neg(x), y), b.mul(y, b.neg(x))) },
    Rule(name: "(-a)*(-b)") { b, x, y in try b.mul(b.neg(x), b.neg(y)) },
    Rule(name: "(-a)/b, a/(-b)") { b, x, y in try b.add(b.div(b.neg(x), y), b.div(y, b.neg(x))) },
    Rule(name: "(-c)/b") { b, x, y in try b.div(b.scalar(-3, like: x), y) },
    Rule(name: "a+(-b), (-a)+b") { b, x, y in try b.mul(b.add(x, b.neg(y)), b.add(b.neg(x), y)) },
    Rule(name: "a-(-b)") { b, x, y in try b.sub(x, b.neg(y)) },
    Rule(name: "a+(-c)*b, a-(-c)*b") { b, x, y in
      let m = try b.mul(b.scalar(-3, like: x), y)
      return try b.mul(b.add(x, m), b.sub(x, m))
    },
    Rule(name: "a+(-c), a-(-c)") { b, x, _ in
      try b.mul(b.add(x, b.scalar(-3, like: x)), b.sub(x, b.scalar(-3, like: x)))
    },
    Rule(name: "x+x") { b, x, _ in try b.add(x, x) },
    Rule(name: "x/4") { b, x, _ in try b.div(x, b.scalar(4, like: x)) },
    Rule(name: "3*(4*x)") { b, x, _ in
      try b.mul(b.scalar(3, like: x), b.mul(b.scalar(4, like: x), x))
    },
    Rule(name: "x*0, x-x kept") { b, x, y in try b.add(b.mul(x, b.scalar(0, like: x)), b.sub(y, y))
    },
    Rule(name: "canonical order") { b, x, y in try b.sub(b.add(y, x), b.add(x, y)) },
  ]

  static let specials: [Double] = [0, -0.0, 1, -2.5, 3e300, -1e-310, .infinity, -.infinity, .nan]

  @Test(arguments: rules) func simplifiedEqualsUnsimplified(_ rule: Rule) throws {
    func build(simplifies: Bool) throws -> Graph {
      let b = GraphBuilder()
      b.rewrites = simplifies ? .all : .none
      let x = try b.input("x", TensorType(.f64, [Self.specials.count]))
      let y = try b.input("y", TensorType(.f64, [Self.specials.count]))
      b.output("f", try rule.f(b, x, y))
      return b.graph
    }
    let (simple, plain) = (try build(simplifies: true), try build(simplifies: false))
    for shift in 0..<Self.specials.count {
      let ys = Array(Self.specials[shift...] + Self.specials[..<shift])
      let inputs = [
        "x": Tensor(shape: [Self.specials.count], scalars: Self.specials),
        "y": Tensor(shape: [Self.specials.count], scalars: ys),
      ]
      let a = try Interpreter.run(simple, inputs)["f"]?.scalars ?? []
      let c = try Interpreter.run(plain, inputs)["f"]?.scalars ?? []
      for (u, v) in zip(a, c) {
        #expect(u == v || (u.isNaN && v.isNaN), "\(rule.name): \(u) vs \(v)")
      }
    }
  }
}

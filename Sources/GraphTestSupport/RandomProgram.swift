import GraphIR
import GraphLanguage

/// A seeded random `.graph` program and a value for every input and param it declares: the
/// material of the random-program test (`Tests/EndToEndTests/RandomProgramTests.swift`).
///
/// A program declares f64 inputs and params (a scalar, vectors and small matrices, every
/// shape built from two sizes `a` and `b` in 1...5, mostly 2...4), then 5 to 12 statements
/// drawn from: definitions (a broad mix of the language's functions and operators, see
/// `ProgramGenerator.Production`; rank-3 values appear inside expressions), aliases
/// (`z = t`), named numbers (`c = 0.7`), views of a value (`reshape`, `transpose`, slices
/// and integer indices of an input, a param or a definition), scalar losses, and `grad(y, x)`: with respect to an input, a param, a defined
/// value, an alias, a named number, a view or an earlier gradient; of an expression holding
/// a gradient (second and third order, `grad(sum(grad(f, x) * v), x)`,
/// `grad(grad(f, s), s)`), also written inline inside other expressions; and
/// unrolled gradient descent (`w1 = w0 - 0.1 * grad(l0, w0)` then `grad(l1, w1)` or
/// `grad(l1, w0)`); and loops (`def` run by `repeat` or `scan`, see `loopStatement`), whose
/// results later statements read and differentiate through. It ends with one `output` line naming every value that holds a `grad`
/// and a random choice of the others.
///
/// Values stay where every function is smooth and finite differences are well conditioned:
/// inputs are ±[0.3, 1.5], each expression carries a bound on its magnitude (wrapped in
/// `tanh` past 50, `exp` only of values within ±3) and a lower bound when it is known to be
/// positive (`log`, `sqrt`, a denominator, the base of a non-integer power need one of at
/// least 0.02). Kinks (`relu`, `abs`, `max`, `min`, `where`, comparisons, `reduce_max`) are
/// met at values that vary continuously with the inputs, so they lie on a kink with
/// probability zero, except where a value is exactly zero by construction (a mask, the
/// gradient of something that does not depend on the variable): the test skips a check
/// whose finite differences show a kink, and excuses a disagreement at a point on one
/// (`KinkScan`). Not generated, because the language does not implement them yet: slice
/// steps (`x[::2]`), `@` of more than two axes, and the functions `erf`, `gelu`, `lgamma`,
/// `cumsum`, `jacobian`, `hessian` and `transpose(x, PERM)`.
/// `generate` evaluates each candidate with the interpreter and draws again (up to 64 times)
/// when any value, gradients included, is non-finite or beyond `largestValue`.
public struct RandomProgram: Sendable {
  /// The seed the program was drawn from.
  public var seed: UInt64
  /// The `.graph` text.
  public var source: String
  /// A value for every input and param, by name.
  public var values: [String: Tensor]

  /// The largest magnitude a value of an accepted program may have.
  public static let largestValue = 1e4

  /// The program for `seed`: the same seed always gives the same text and values.
  ///
  /// A candidate the parser or the interpreter rejects is returned as it is, for the test
  /// to report: the generator only writes valid programs, so that is a bug somewhere.
  public static func generate(seed: UInt64) -> RandomProgram {
    var program = RandomProgram(seed: seed, source: "", values: [:])
    for attempt in 0..<64 {
      var generator = ProgramGenerator(seed: seed, attempt: UInt64(attempt))
      (program.source, program.values) = generator.program()
      guard let file = try? GraphParser.parseFile(program.source),
        let nodes = try? Interpreter.evaluate(file.graph, program.values)
      else { return program }
      let inRange = nodes.allSatisfy { node in
        node.scalars.allSatisfy { $0.isFinite && Swift.abs($0) <= largestValue }
      }
      if inRange { return program }
    }
    return program
  }

  /// The values as `graphc` arguments (`--set x0=[0.5, -1.2] ...`), to reproduce a run.
  public var setArguments: String {
    values.sorted { $0.key < $1.key }.map { name, value in
      "--set \(name)=\(json(value))"
    }.joined(separator: " ")
  }

  private func json(_ t: Tensor) -> String {
    func nested(_ dims: ArraySlice<Int>, _ offset: Int) -> String {
      guard let first = dims.first else { return "\(t.scalars[offset])" }
      let stride = dims.dropFirst().reduce(1, *)
      let items = (0..<first).map { nested(dims.dropFirst(), offset + $0 * stride) }
      return "[" + items.joined(separator: ",") + "]"
    }
    return nested(t.shape[...], 0)
  }
}

/// One value a later expression may use.
struct PoolValue {
  enum Kind { case input, param, definition, alias, number, gradient, view }

  var name: String
  var kind: Kind
  var shape: [Int]
  /// An upper bound on the magnitude of every element.
  var bound: Double
  /// A positive lower bound on every element, when one is known.
  var lower: Double?
  /// The names this value depends on, itself included; an alias has its original's.
  var roots: Set<String>
  /// The defining expression of a definition (written inline as a copy that is not it).
  var text: String?
  /// The name `grad` with respect to this value perturbs: itself, or an alias's original.
  var root: String
}

/// The state of one program being drawn: the random stream, the values so far, the lines.
struct ProgramGenerator {
  var rng: SeededGenerator
  /// The two sizes every declared shape is made of (they may be equal).
  let a: Int
  let b: Int
  var pool: [PoolValue] = []
  var lines: [String] = []
  var values: [String: Tensor] = [:]
  /// Names that must be in the `output` line.
  var required: [String] = []
  /// While building `y` of `grad(y, x)`: the root of `x`, preferred among leaves.
  var focus: String? = nil
  /// `grad` calls written inline so far in the current statement (they are costly).
  var inlineGradients = 0
  /// True while a loop body is written: no `grad` there (the test checks `grad`s at the top
  /// level, and one inside a body with respect to an outer value may not be allowed).
  var inBody = false
  /// The functions of earlier loops with one carry and no slice, by name, with the carry's
  /// shape: a later body may run one with `repeat` (loops nested in loops).
  var repeatable: [(name: String, shape: [Int])] = []
  private var counters: [String: Int] = [:]

  init(seed: UInt64, attempt: UInt64) {
    rng = SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ attempt &* 0xD1B5_4A32_D192_ED03)
    // Mostly 2...4; now and then 1 (axes of size one broadcast and reduce to themselves)
    // or 5.
    let sizes = [1, 2, 2, 3, 3, 4, 4, 5]
    a = sizes[Int(rng.next() % 8)]
    b = sizes[Int(rng.next() % 8)]
  }

  /// The whole program: its text and the values of its inputs and params.
  mutating func program() -> (String, [String: Tensor]) {
    lines = ["# random program"]
    declare()
    for _ in 0..<(5 + pick(8)) {
      inlineGradients = 0
      statement()
    }
    lines.append("output " + outputNames().joined(separator: ", "))
    return (lines.joined(separator: "\n") + "\n", values)
  }

  // MARK: Random choices

  mutating func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
  mutating func pick<T>(_ items: [T]) -> T { items[pick(items.count)] }
  mutating func chance(_ p: Double) -> Bool { rng.unit() < p }

  /// A name not used yet, `prefix` followed by a number.
  mutating func fresh(_ prefix: String) -> String {
    let n = counters[prefix, default: 0]
    counters[prefix] = n + 1
    return "\(prefix)\(n)"
  }

  /// Every shape expressions are built in: a scalar, vectors and matrices of sizes a and b.
  var shapes: [[Int]] {
    var result: [[Int]] = [[], [a]]
    if b != a { result.append([b]) }
    for r in Set([a, b]).sorted() { for c in Set([a, b]).sorted() { result.append([r, c]) } }
    return result
  }

  func isBuilt(_ shape: [Int]) -> Bool { shapes.contains(shape) }

  // MARK: Declarations

  /// Inputs and params: always a scalar and the vectors of size a and b (so every shape can
  /// be built from them), then one to three matrices.
  mutating func declare() {
    var declared: [[Int]] = [[], [a]]
    if b != a { declared.append([b]) }
    for _ in 0..<(1 + pick(3)) { declared.append(pick(shapes.filter { $0.count == 2 })) }
    if chance(0.4) { declared.append(pick(shapes)) }
    for shape in declared {
      let isParam = chance(0.4)
      let name = fresh(isParam ? "w" : "x")
      let positive = chance(0.25)
      let type =
        shape.isEmpty
        ? (chance(0.5) ? "" : ": f64")
        : ": f64[" + shape.map(String.init).joined(separator: ", ") + "]"
      let initializer =
        isParam ? pick(["", " = normal(0.5)", " = uniform(-1, 1)", " = zeros", " = 0.3"]) : ""
      lines.append((isParam ? "param " : "input ") + name + type + initializer)
      let scalars = (0..<shape.reduce(1, *)).map { _ in
        (positive || chance(0.5) ? 1.0 : -1.0) * (0.3 + 1.2 * rng.unit())
      }
      values[name] = Tensor(.f64, shape: shape, scalars: scalars)
      pool.append(
        PoolValue(
          name: name, kind: isParam ? .param : .input, shape: shape, bound: 1.5,
          lower: positive ? 0.3 : nil, roots: [name], text: nil, root: name))
    }
  }

  // MARK: Statements

  mutating func statement() {
    switch pick(110) {
    case 0..<30: define("d", expression(pick(shapes), depth: 1 + pick(3)))
    case 30..<37: alias()
    case 37..<42: number()
    case 42..<50: view()
    case 50..<58: define("l", scalar(depth: 1 + pick(3)))
    case 58..<78: gradientStatement()
    case 78..<90: secondOrderStatement()
    case 90..<100: gradientDescent()
    default: loopStatement()
    }
  }

  /// `NAME = EXPR`, added to the pool. A bare name is an alias, so it is recorded as one.
  @discardableResult
  mutating func define(_ prefix: String, _ e: Expr, kind: PoolValue.Kind = .definition)
    -> PoolValue
  {
    let name = fresh(prefix)
    lines.append("\(name) = \(e.text)")
    if let original = pool.first(where: { $0.name == e.text }) {
      var copy = original
      (copy.name, copy.kind, copy.text) = (name, .alias, nil)
      pool.append(copy)
      return copy
    }
    let value = PoolValue(
      name: name, kind: kind, shape: e.shape, bound: e.bound, lower: e.lower,
      roots: e.roots.union([name]), text: e.text, root: name)
    pool.append(value)
    if e.text.contains("grad(") { required.append(name) }
    return value
  }

  /// `z = t`: another name of any value so far.
  mutating func alias() {
    define("z", .leaf(pick(pool)))
  }

  /// `c = 0.7`, a function of numbers (`c = 2 ^ -1`, folded to a number by the parser),
  /// or a number computed from earlier named numbers.
  mutating func number() {
    let numbers = pool.filter { $0.kind == .number }
    switch pick(4) {
    case 0 where !numbers.isEmpty:
      let c = pick(numbers)
      let k = literal()
      define(
        "c", .binary("*", .leaf(c), k).plus(literal()).bounded(c.bound * k.bound + 2),
        kind: .number)
    case 1:
      let (text, value) = pick([
        ("exp(-0.5)", 0.61), ("sqrt(2)", 1.42), ("2 ^ -1", 0.5), ("log(3)", 1.1),
        ("tanh(0.5)", 0.47),
      ])
      define(
        "c", Expr(text: text, level: .atom, shape: [], bound: value, lower: value * 0.9, roots: []),
        kind: .number)
    default:
      define("c", literal(), kind: .number)
    }
  }

  /// A view of an input, a param or a definition: reshape, transpose, slice or index.
  mutating func view() {
    let sources = pool.filter {
      !$0.shape.isEmpty && [.input, .param, .definition].contains($0.kind)
    }
    guard !sources.isEmpty else {
      define("d", expression([], depth: 2))
      return
    }
    let v = pick(sources)
    define("r", viewExpression(of: .leaf(v)), kind: .view)
  }

  /// The names in the `output` line: every value holding a `grad`, and a random third of
  /// the others (inputs rarely).
  mutating func outputNames() -> [String] {
    var names = required
    for v in pool where !names.contains(v.name) {
      let p = [.input, .param].contains(v.kind) ? 0.05 : 0.3
      if chance(p) { names.append(v.name) }
    }
    if names.isEmpty, let last = pool.last { names.append(last.name) }
    return names
  }
}

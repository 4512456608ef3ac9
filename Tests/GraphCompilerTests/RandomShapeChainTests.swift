import GraphIR
import Testing

@testable import GraphCompiler

/// Random chains of index-mapping ops (fixed seeds), compiled and compared with the
/// interpreter: the cheapest way to shake out offset and coordinate arithmetic bugs.
func randomChain(seed: UInt64) throws -> Case {
  var rng = SeededGenerator(seed: seed)
  func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
  let b = GraphBuilder()
  let x = try b.input("x", TensorType(.f64, [2, 3, 4]))
  var h = x
  var others: [NodeID] = []
  for _ in 0..<8 {
    let shape = b.type(h).shape
    let rank = shape.count
    switch pick(9) {
    case 0 where rank > 1:
      h = try b.transpose(h, permutation: Array(0..<rank).shuffled(using: &rng))
    case 1:
      let n = shape.reduce(1, *)
      let divisors = (1...max(n, 1)).filter { n % $0 == 0 }
      let d = divisors[pick(divisors.count)]
      h = try b.reshape(h, to: n == 0 ? [0] : [d, n / d])
    case 2 where shape.allSatisfy({ $0 > 1 }):
      let start = shape.map { _ in pick(2) }
      h = try b.slice(h, start: start, end: zip(shape, start).map { max($0 - pick(2), $1 + 1) })
    case 3:
      h = try b.pad(h, low: shape.map { _ in pick(2) }, high: shape.map { _ in pick(2) })
    case 4 where rank > 0:
      var small = shape
      small[pick(rank)] = 1
      let y = try b.input("y\(others.count)", TensorType(.f64, small))
      others.append(y)
      h = try b.mul(h, try b.exp(y))
    case 5 where rank > 1:
      h = try b.sum(h, axes: [pick(rank)])
    case 6 where rank > 0:
      h = try b.concat([h, try b.sin(h)], axis: pick(rank))
    case 7 where rank > 0:
      h = try b.reduceMax(h, axes: [pick(rank)])
      h = try b.add(h, try b.tanh(h))
    default:
      h = try b.cos(h)
    }
  }
  b.output("h", h)
  b.output("total", try b.sum(h))
  var inputs: [String: Tensor] = [:]
  for (k, id) in b.graph.arguments.enumerated() {
    if case .input(let n) = b.graph[id].op { inputs[n] = ramp(b.graph[id].type, shift: Double(k)) }
  }
  return Case(name: "chain \(seed)", graph: b.graph, inputs: inputs)
}

@Suite struct RandomShapeChainTests {
  @Test(arguments: 1...100 as ClosedRange<UInt64>)
  func chainMatchesInterpreter(_ seed: UInt64) throws {
    let c = try randomChain(seed: seed)
    try expectMatchesInterpreter(c.graph, c.inputs, c.name)
  }
}

import Foundation
import GraphIR

/// Every function of the `.graph` language, built with `GraphBuilder`, paired by name with
/// NumPy's value for the same expression (`Tests/GraphIRTests/Fixtures/numpy_functions.json`).
///
/// The interpreter tests and the compiled-kernel tests both run this table, so the forward
/// values of the language are checked against an oracle that shares no code with graphc.
public enum LanguageFunctionCases {
  public typealias Build = @Sendable (GraphBuilder, Inputs) throws -> NodeID

  /// The fixture inputs by name (every case names only inputs that exist).
  public struct Inputs {
    let nodes: [String: NodeID]
    public subscript(_ name: String) -> NodeID {
      guard let id = nodes[name] else { preconditionFailure("no fixture input \(name)") }
      return id
    }
  }

  /// Case name to the expression it builds from the fixture inputs.
  public static let cases: [(String, Build)] = [
    ("exp", { b, v in try b.exp(v["x"]) }),
    ("log", { b, v in try b.log(v["pos"]) }),
    ("sin", { b, v in try b.sin(v["x"]) }),
    ("cos", { b, v in try b.cos(v["x"]) }),
    ("tan", { b, v in try b.tan(v["x"]) }),
    ("tanh", { b, v in try b.tanh(v["x"]) }),
    ("sqrt", { b, v in try b.sqrt(v["pos"]) }),
    ("abs", { b, v in try b.abs(v["x"]) }),
    ("square", { b, v in try b.square(v["x"]) }),
    ("sigmoid", { b, v in try b.sigmoid(v["x"]) }),
    ("relu", { b, v in try b.relu(v["x"]) }),
    ("pow", { b, v in try b.pow(v["pos"], v["y"]) }),
    ("max", { b, v in try b.maximum(v["x"], v["y"]) }),
    ("min", { b, v in try b.minimum(v["x"], v["y"]) }),
    (
      "where",
      { b, v in try b.select(b.greater(v["x"], b.scalar(0, like: v["x"])), v["x"], v["y"]) }
    ),
    ("lt", { b, v in try b.less(v["x"], v["y"]) }),
    ("le", { b, v in try b.lessEqual(v["x"], v["row"]) }),
    ("gt", { b, v in try b.greater(v["x"], b.scalar(0.5, like: v["x"])) }),
    ("ge", { b, v in try b.greaterEqual(v["x"], v["col"]) }),
    ("eq", { b, v in try b.equal(v["x"], b.scalar(0, like: v["x"])) }),
    ("ne", { b, v in try b.notEqual(v["x"], b.scalar(2, like: v["x"])) }),
    ("add_row", { b, v in try b.add(v["x"], v["row"]) }),
    ("sub_col", { b, v in try b.sub(v["x"], v["col"]) }),
    ("mul_scalar", { b, v in try b.mul(v["x"], b.scalar(3, like: v["x"])) }),
    ("div_row", { b, v in try b.div(v["x"], v["row"]) }),
    ("neg_pow", { b, v in try b.neg(b.pow(v["x"], b.scalar(2, like: v["x"]))) }),
    ("add_col_row", { b, v in try b.add(v["col"], v["row"]) }),
    ("sum_all", { b, v in try b.sum(v["x"]) }),
    ("sum_0", { b, v in try b.sum(v["x"], axes: [0]) }),
    ("sum_neg1", { b, v in try b.sum(v["x"], axes: [-1]) }),
    ("mean_all", { b, v in try b.mean(v["x"]) }),
    ("mean_1", { b, v in try b.mean(v["x"], axes: [1]) }),
    ("reduce_max_neg1", { b, v in try b.reduceMax(v["x"], axes: [-1]) }),
    ("reduce_max_0", { b, v in try b.reduceMax(v["x"], axes: [0]) }),
    ("logsumexp_1", { b, v in try b.logsumexp(v["x"], axis: 1) }),
    ("softmax_neg1", { b, v in try b.softmax(v["x"], axis: -1) }),
    ("log_softmax_0", { b, v in try b.logSoftmax(v["x"], axis: 0) }),
    ("cross_entropy", { b, v in try b.crossEntropy(logits: v["x"], onehot: v["onehot"]) }),
    ("transpose", { b, v in try b.transpose(v["x"]) }),
    ("reshape", { b, v in try b.reshape(v["x"], to: [3, 2]) }),
    ("concat_0", { b, v in try b.concat([v["x"], v["y"]], axis: 0) }),
    ("concat_neg1", { b, v in try b.concat([v["x"], v["y"]], axis: -1) }),
    ("slice_from1", { b, v in try b.index(v["x"], [.range(1, nil)]) }),
    ("slice_cols", { b, v in try b.index(v["x"], [.range(nil, nil), .range(1, 3)]) }),
    ("slice_butlast", { b, v in try b.index(v["x"], [.range(nil, -1)]) }),
    ("index_0", { b, v in try b.index(v["x"], [.at(0)]) }),
    ("index_last_col", { b, v in try b.index(v["x"], [.range(nil, nil), .at(-1)]) }),
    ("slice_neg_range", { b, v in try b.index(v["x"], [.range(nil, nil), .range(-2, nil)]) }),
    ("erf", { b, v in try b.erf(v["x"]) }),
    ("gelu", { b, v in try b.gelu(v["x"]) }),
    ("lgamma", { b, v in try b.lgamma(v["gam"]) }),
    ("digamma", { b, v in try b.polygamma(v["gam"], order: 0) }),
    ("trigamma", { b, v in try b.polygamma(v["gam"], order: 1) }),
    ("cumsum_0", { b, v in try b.cumsum(v["x"], axis: 0) }),
    ("cumsum_neg1", { b, v in try b.cumsum(v["x"], axis: -1) }),
    ("cumsum_seq", { b, v in try b.cumsum(v["seq"], axis: 0) }),
    (
      "slice_step2", { b, v in try b.index(v["x"], [.range(nil, nil), .range(nil, nil, step: 2)]) }
    ),
    ("slice_reverse", { b, v in try b.index(v["x"], [.range(nil, nil, step: -1)]) }),
    (
      "slice_reverse_cols",
      { b, v in try b.index(v["x"], [.range(nil, nil), .range(nil, nil, step: -1)]) }
    ),
    ("slice_1_8_3", { b, v in try b.index(v["seq"], [.range(1, 8, step: 3)]) }),
    ("slice_back_3", { b, v in try b.index(v["seq"], [.range(nil, nil, step: -3)]) }),
    ("slice_neg_bounds", { b, v in try b.index(v["seq"], [.range(-2, 1, step: -2)]) }),
    ("slice_past_end", { b, v in try b.index(v["seq"], [.range(8, 100, step: 5)]) }),
    ("slice_empty_step", { b, v in try b.index(v["seq"], [.range(5, 2, step: 2)]) }),
    ("slice_index_step", { b, v in try b.index(v["x"], [.at(1), .range(nil, nil, step: -2)]) }),
    ("matmul_2x2", { b, v in try b.matmul(v["x"], v["m"]) }),
    ("matmul_1x2", { b, v in try b.matmul(v["v3"], v["m"]) }),
    ("matmul_2x1", { b, v in try b.matmul(v["x"], v["v3"]) }),
    ("matmul_1x1", { b, v in try b.matmul(v["v3"], v["v3"]) }),
  ]

  /// The fixture file: inputs and NumPy's expected values.
  public struct Fixture: Decodable {
    public struct Array: Decodable {
      public var shape: [Int]
      public var data: [Double]
      public func tensor(_ dtype: DType) -> Tensor { Tensor(dtype, shape: shape, scalars: data) }
    }
    public var inputs: [String: Array]
    public var cases: [String: Array]
  }

  /// Loads the fixture committed next to the GraphIR tests.
  public static func loadFixture() throws -> Fixture {
    let file = packageRoot().appendingPathComponent(
      "Tests/GraphIRTests/Fixtures/numpy_functions.json")
    return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: file))
  }

  /// Builds one case as a graph with every fixture input declared and one output `out`.
  public static func graph(_ build: Build, fixture: Fixture, dtype: DType) throws -> Graph {
    let b = GraphBuilder()
    var vars: [String: NodeID] = [:]
    for (name, value) in fixture.inputs.sorted(by: { $0.key < $1.key }) {
      vars[name] = try b.input(name, TensorType(dtype, value.shape))
    }
    b.output("out", try build(b, Inputs(nodes: vars)))
    return b.graph
  }
}

import GraphIR

/// A value met while parsing an expression: a graph node, or a literal number that has not
/// yet met a tensor to take its dtype from ("a literal takes the dtype of what it meets").
enum Operand {
  case node(NodeID)
  /// A number; `tracked` is set when it depends on a named number that some `grad`
  /// differentiates against, and then builds its uses as nodes.
  case literal(Double, TrackedNumber? = nil)
}

/// A number-valued expression that depends on a named number `t` which some `grad(y, t)`
/// differentiates against (`t = 10`, `u = 2*t`). Its value is known, but its uses must be
/// uses of graph nodes so that the gradient can follow them: once it meets a dtype it is
/// built in the file's graph, once per dtype, and every later use in that dtype shares the
/// node.
final class TrackedNumber {
  private let build: (DType) throws -> NodeID
  private var built: [DType: NodeID] = [:]

  init(_ build: @escaping (DType) throws -> NodeID) { self.build = build }

  /// The node of this number in `dtype`, built on first use.
  func node(_ dtype: DType) throws -> NodeID {
    if let id = built[dtype] { return id }
    let id = try build(dtype)
    built[dtype] = id
    return id
  }

  /// The nodes built so far, one per dtype, in dtype order.
  var nodes: [NodeID] { DType.allCases.compactMap { built[$0] } }
}

/// An operand and where the expression that produced it starts.
struct Located {
  var operand: Operand
  var position: SourcePosition
}

extension Parser {
  /// Applies `build` to `operands` and returns the result as an operand.
  ///
  /// Literals become scalar constants of the dtype of the first node operand. When every
  /// operand is a literal, `build` runs in a scratch builder on f64 constants: if the result
  /// folds to a scalar constant it stays a literal (so `2^-1` or `exp(1)` can still meet an
  /// f32 tensor), otherwise it is built for real in f64, the default dtype.
  func combine(_ operands: [Operand], _ build: @escaping (GraphBuilder, [NodeID]) throws -> NodeID)
    throws -> Operand
  {
    let dtype = operands.lazy.compactMap { operand -> DType? in
      if case .node(let id) = operand { return builder.type(id).dtype }
      return nil
    }.first
    if dtype == nil {
      let scratch = GraphBuilder()
      let result = try build(scratch, operands.map { constant($0, .f64, in: scratch) })
      if scratch.type(result).isScalar, let value = scratch[result].op.constantValue {
        let tracks = operands.contains { if case .literal(_, .some) = $0 { true } else { false } }
        guard tracks else { return .literal(value) }
        let builder = self.builder
        return .literal(
          value,
          TrackedNumber { dtype in
            try build(builder, operands.map { try Self.materialize($0, dtype, in: builder) })
          })
      }
    }
    let met = dtype ?? .f64
    return .node(try build(builder, operands.map { try Self.materialize($0, met, in: builder) }))
  }

  /// The node of an operand in `b`, the file's graph; a literal becomes a scalar of `dtype`.
  static func materialize(_ operand: Operand, _ dtype: DType, in b: GraphBuilder) throws
    -> NodeID
  {
    switch operand {
    case .node(let id): return id
    case .literal(_, let tracked?): return try tracked.node(dtype)
    case .literal(let value, nil):
      // "An integer literal meeting an integer takes its type"; a fraction cannot.
      if dtype.isInteger, value.rounded(.towardZero) != value || !value.isFinite {
        throw GraphError.notWhole(value: value, dtype: dtype)
      }
      return b.constant(value, .scalar(dtype))
    }
  }

  /// An operand's value as a plain scalar constant in `b` (for folding in a scratch graph).
  private func constant(_ operand: Operand, _ dtype: DType, in b: GraphBuilder) -> NodeID {
    switch operand {
    case .node(let id): id
    case .literal(let value, _): b.constant(value, .scalar(dtype))
    }
  }

  /// The node of an operand in the file's graph; a lone literal is an f64 constant.
  func node(_ operand: Operand) throws -> NodeID {
    try Self.materialize(operand, .f64, in: builder)
  }

  /// Runs `body`, turning a `GraphError` into a `SourceError` at `position` (or, for a bad
  /// axis, at `axisPosition` when the axis was written separately).
  func located<T>(
    _ position: SourcePosition, axisPosition: SourcePosition? = nil, _ body: () throws -> T
  ) throws -> T {
    do {
      return try body()
    } catch let error as SourceError {
      throw error
    } catch let error as GraphError {
      if case .badAxis = error, let axisPosition {
        throw self.error(error.description, at: axisPosition)
      }
      throw self.error(error.description, at: position)
    } catch {
      throw self.error(String(describing: error), at: position)
    }
  }
}

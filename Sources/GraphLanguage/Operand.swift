import GraphIR

/// A value met while parsing an expression: a graph node, or a literal number that has not
/// yet met a tensor to take its dtype from ("a literal takes the dtype of what it meets").
enum Operand {
  case node(NodeID)
  case literal(Double)
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
  func combine(_ operands: [Operand], _ build: (GraphBuilder, [NodeID]) throws -> NodeID)
    throws -> Operand
  {
    let dtype = operands.lazy.compactMap { operand -> DType? in
      if case .node(let id) = operand { return builder.type(id).dtype }
      return nil
    }.first
    if dtype == nil {
      let scratch = GraphBuilder()
      let result = try build(scratch, operands.map { materialize($0, .f64, in: scratch) })
      if scratch.type(result).isScalar, let value = scratch[result].op.constantValue {
        return .literal(value)
      }
    }
    return .node(try build(builder, operands.map { materialize($0, dtype ?? .f64, in: builder) }))
  }

  /// The node of an operand; a literal becomes a scalar constant of `dtype`.
  func materialize(_ operand: Operand, _ dtype: DType, in b: GraphBuilder) -> NodeID {
    switch operand {
    case .node(let id): id
    case .literal(let value): b.constant(value, .scalar(dtype))
    }
  }

  /// The node of an operand in the file's graph; a lone literal is an f64 constant.
  func node(_ operand: Operand) -> NodeID { materialize(operand, .f64, in: builder) }

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

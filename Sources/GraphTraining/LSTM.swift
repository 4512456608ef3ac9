import GraphIR

/// A character-level LSTM language model: each token selects a row of one table (the
/// embedding and the input projection in one, through `take`), an LSTM cell runs over the
/// time steps as a `scan` (one loop in the C, whatever the sequence length), and a linear
/// head maps each step's hidden state to one logit per vocabulary entry.
///
/// Sequences are time-major: tokens `[T, batch]` give logits `[T, batch, vocabulary]`, and
/// every sequence starts from zero state.
public struct LSTMLanguageModel: Layer {
  /// `[vocabulary, 4 * hidden]`: the gates' input part for each token, in the order input,
  /// forget, candidate, output.
  public let inputTable: Value
  /// `[hidden, 4 * hidden]`: the gates' part from the previous hidden state.
  public let recurrent: Value
  /// The hidden state to logits.
  public let head: Dense
  /// Units of the hidden state.
  public let hidden: Int

  /// Declares `lstm.input`, `lstm.recurrent` (both uniform in `±1/sqrt(hidden)`, as
  /// PyTorch's `LSTM`), `head.weight` and `head.bias`.
  public init(_ builder: GraphBuilder, vocabulary: Int, hidden: Int, dtype: DType = .f32)
    throws
  {
    let bound = 1 / Double(hidden).squareRoot()
    let initializer = Initializer.uniform(low: -bound, high: bound)
    inputTable = try builder.param(
      "lstm.input", dtype, shape: [vocabulary, 4 * hidden], initializer: initializer)
    recurrent = try builder.param(
      "lstm.recurrent", dtype, shape: [hidden, 4 * hidden], initializer: initializer)
    head = try Dense(builder, name: "head", inputs: hidden, outputs: vocabulary, dtype: dtype)
    self.hidden = hidden
  }

  /// Logits `[T, batch, vocabulary]` for tokens `[T, batch]`.
  public func callAsFunction(_ tokens: Value) throws -> Value {
    guard tokens.type.rank == 2 else {
      throw GraphError.invalidOperand(op: "lstm", expected: "tokens [T, batch], got \(tokens.type)")
    }
    let b = tokens.builder
    let zero = Value(
      b, b.constant(0, TensorType(inputTable.type.dtype, [tokens.type.shape[1], hidden])))
    // The input part of every step's gates in one gather, outside the loop.
    let (_, stacked) = try scan([zero, zero], over: [take(inputTable, tokens)]) {
      scope, state, rows in
      let (h, c) = try cell(state[0], state[1], rows[0], recurrent: scope(recurrent))
      return ([h, c], [h])
    }
    return try head(stacked[0])
  }

  /// One step from state `(h, c)` with the gates' input part `x` (a row of `inputTable` per
  /// sequence): `i, f, g, o` are the four quarters of `x + h @ recurrent`, and
  /// `c' = sigmoid(f) * c + sigmoid(i) * tanh(g)`, `h' = sigmoid(o) * tanh(c')`.
  public func cell(_ h: Value, _ c: Value, _ x: Value, recurrent: Value) throws -> (
    h: Value, c: Value
  ) {
    let gates = try x + matmul(h, recurrent)
    func quarter(_ k: Int) throws -> Value {
      try gates[.range(nil, nil), .range(k * hidden, (k + 1) * hidden)]
    }
    let next = try sigmoid(quarter(1)) * c + sigmoid(quarter(0)) * tanh(quarter(2))
    return (try sigmoid(quarter(3)) * tanh(next), next)
  }

  /// One step for sampling: the logits `[batch, vocabulary]` after `tokens` `[batch]` from
  /// state `(h, c)`, and the next state.
  public func step(_ tokens: Value, _ h: Value, _ c: Value) throws -> (
    logits: Value, h: Value, c: Value
  ) {
    let next = try cell(h, c, take(inputTable, tokens), recurrent: recurrent)
    return (try head(next.h), next.h, next.c)
  }

  public var parameters: [Value] { [inputTable, recurrent] + head.parameters }
}

import GraphIR

/// The size of a decoder-only transformer over a character vocabulary.
public struct TransformerConfig: Sendable, Equatable {
  /// Distinct tokens (characters).
  public var vocabulary: Int
  /// Positions a sequence holds (the context length).
  public var context: Int
  /// Width of the residual stream.
  public var channels: Int
  /// Attention heads per layer; `channels` must be a multiple of it.
  public var heads: Int
  /// Transformer blocks.
  public var layers: Int

  public init(vocabulary: Int, context: Int, channels: Int, heads: Int, layers: Int) {
    self.vocabulary = vocabulary
    self.context = context
    self.channels = channels
    self.heads = heads
    self.layers = layers
  }

  /// The size of nanoGPT's CPU example: 4 layers, 4 heads, 128 channels, context 64.
  public static func small(vocabulary: Int) -> TransformerConfig {
    TransformerConfig(vocabulary: vocabulary, context: 64, channels: 128, heads: 4, layers: 4)
  }
}

/// Causal multi-head self-attention on `[batch, T, C]`: one product makes queries, keys and
/// values, each head attends over the positions at or before its own, a product mixes the
/// heads back. The attention scores are a stack `[batch, heads, T, T]` of matrix products.
public struct CausalSelfAttention: Layer {
  public let qkv: Dense
  public let projection: Dense
  public let heads: Int

  /// Declares `NAME.qkv` (`[C, 3C]`) and `NAME.proj` (`[C, C]`).
  public init(_ builder: GraphBuilder, name: String, channels: Int, heads: Int, dtype: DType)
    throws
  {
    guard heads >= 1, channels % heads == 0 else {
      throw GraphError.invalidOperand(
        op: "attention", expected: "channels (\(channels)) a multiple of heads (\(heads))")
    }
    qkv = try Dense(
      builder, name: "\(name).qkv", inputs: channels, outputs: 3 * channels, dtype: dtype)
    projection = try Dense(
      builder, name: "\(name).proj", inputs: channels, outputs: channels, dtype: dtype)
    self.heads = heads
  }

  public func callAsFunction(_ x: Value) throws -> Value {
    let shape = x.type.shape
    guard shape.count == 3 else {
      throw GraphError.invalidOperand(op: "attention", expected: "[batch, T, C], got \(x.type)")
    }
    let (n, t, c) = (shape[0], shape[1], shape[2])
    let d = c / heads
    let all = try qkv(x)
    // [n, t, 3c] -> three [n, heads, t, d] stacks.
    func part(_ k: Int) throws -> Value {
      let columns = try all[.range(nil, nil), .range(nil, nil), .range(k * c, (k + 1) * c)]
      return try transpose(reshape(columns, [n, t, heads, d]), [0, 2, 1, 3])
    }
    let (q, key, v) = (try part(0), try part(1), try part(2))
    // Scores q k^T / sqrt(d); a query at position i sees keys at positions j <= i. A masked
    // score is -1e9 rather than -inf: its exp underflows to exactly 0 all the same, and no
    // infinity meets an arithmetic rule (inf - inf) in either pass.
    let scores = try matmul(q, transpose(key, [0, 1, 3, 2])) * (1 / Double(d).squareRoot())
    let weights = try softmax(select(causalMask(scores, t), scores, scores.constant(-1e9)), axis: 3)
    let mixed = try transpose(matmul(weights, v), [0, 2, 1, 3])
    return try projection(reshape(mixed, [n, t, c]))
  }

  /// `[t, t]` of 1 where the column is at or before the row, 0 elsewhere, in `like`'s dtype.
  private func causalMask(_ like: Value, _ t: Int) throws -> Value {
    let b = like.builder
    let rows = try b.reshape(b.arange(t), to: [t, 1])
    let columns = try b.reshape(b.arange(t), to: [1, t])
    return Value(b, try b.cast(b.lessEqual(columns, rows), to: like.type.dtype))
  }

  public var parameters: [Value] { qkv.parameters + projection.parameters }
}

/// One pre-norm transformer block: `x + attention(norm1(x))`, then `x + mlp(norm2(x))` with a
/// GELU MLP four times as wide as the stream.
public struct TransformerBlock: Layer {
  public let norm1: LayerNorm
  public let attention: CausalSelfAttention
  public let norm2: LayerNorm
  public let expand: Dense
  public let contract: Dense

  /// Declares the block's params under `NAME.`.
  public init(_ builder: GraphBuilder, name: String, channels: Int, heads: Int, dtype: DType)
    throws
  {
    norm1 = try LayerNorm(builder, name: "\(name).ln1", features: channels, dtype: dtype)
    attention = try CausalSelfAttention(
      builder, name: "\(name).attn", channels: channels, heads: heads, dtype: dtype)
    norm2 = try LayerNorm(builder, name: "\(name).ln2", features: channels, dtype: dtype)
    expand = try Dense(
      builder, name: "\(name).fc", inputs: channels, outputs: 4 * channels, dtype: dtype)
    contract = try Dense(
      builder, name: "\(name).fc_proj", inputs: 4 * channels, outputs: channels, dtype: dtype)
  }

  public func callAsFunction(_ x: Value) throws -> Value {
    let y = try x + attention(norm1(x))
    return try y + contract(gelu(expand(norm2(y))))
  }

  public var parameters: [Value] {
    norm1.parameters + attention.parameters + norm2.parameters + expand.parameters
      + contract.parameters
  }
}

/// A decoder-only transformer: token and position embeddings (both through `take`), blocks,
/// a final layer norm and a linear head to one logit per vocabulary entry. Applied to integer
/// tokens `[batch, T]` (T at most the context) it gives logits `[batch, T, vocabulary]`, where
/// position i depends only on tokens 0...i.
public struct Transformer: Layer {
  public let config: TransformerConfig
  public let tokenEmbedding: Embedding
  public let positionEmbedding: Embedding
  public let blocks: [TransformerBlock]
  public let finalNorm: LayerNorm
  public let head: Dense

  /// Declares every param; names start with `wte`, `wpe`, `block1.` ..., `ln_f`, `head`.
  public init(_ builder: GraphBuilder, _ config: TransformerConfig, dtype: DType = .f32) throws {
    self.config = config
    let c = config.channels
    tokenEmbedding = try Embedding(
      builder, name: "wte", count: config.vocabulary, features: c, dtype: dtype)
    positionEmbedding = try Embedding(
      builder, name: "wpe", count: config.context, features: c, dtype: dtype)
    blocks = try (1...config.layers).map {
      try TransformerBlock(
        builder, name: "block\($0)", channels: c, heads: config.heads, dtype: dtype)
    }
    finalNorm = try LayerNorm(builder, name: "ln_f", features: c, dtype: dtype)
    head = try Dense(builder, name: "head", inputs: c, outputs: config.vocabulary, dtype: dtype)
  }

  public func callAsFunction(_ tokens: Value) throws -> Value {
    let t = tokens.type.shape.last ?? 0
    guard tokens.type.rank == 2, t <= config.context else {
      throw GraphError.invalidOperand(
        op: "transformer",
        expected: "tokens [batch, T] with T <= \(config.context), got \(tokens.type)")
    }
    let positions = Value(tokens.builder, try tokens.builder.arange(t, dtype: tokens.type.dtype))
    var x = try tokenEmbedding(tokens) + positionEmbedding(positions)
    for block in blocks { x = try block(x) }
    return try head(finalNorm(x))
  }

  public var parameters: [Value] {
    tokenEmbedding.parameters + positionEmbedding.parameters + blocks.flatMap(\.parameters)
      + finalNorm.parameters + head.parameters
  }
}

import GraphIR

/// A lowering pass: splits big flat loops holding full reductions into fixed-size chunks,
/// each leaving its partial results in an f64 buffer, so that threads can share the chunks.
///
/// Expects a plan from `Fusion`. Guarantees that every `.flat` kernel of more than
/// `reductionChunk` iterations with a reduction root becomes a `.chunkedReduction` with a
/// new arena buffer of `chunks × reductions` partial results (which it writes), unless one of
/// its reductions is an integer sum (the partial results are f64); every other kernel is
/// unchanged. Because the chunk size is fixed, the summation order (and each
/// result, to the last bit) does not depend on how many threads share the chunks. Linear.
public enum ReductionChunking {
  /// Iterations per chunk.
  public static let reductionChunk = 1 << 15

  /// The plan with its big flat reductions chunked.
  public static func run(_ plan: Plan) -> Plan {
    var result = plan
    for k in result.kernels.indices {
      guard case .flat(let loop) = result.kernels[k].kind else { continue }
      let count = loop.space.reduce(1, *)
      let reductions = loop.roots.filter(\.isReduction)
      guard !reductions.isEmpty, count > reductionChunk,
        reductions.allSatisfy({ plan.buffers[$0.buffer].type.dtype.isFloat })
      else { continue }
      let chunks = (count + reductionChunk - 1) / reductionChunk
      result.buffers.append(
        Buffer(
          name: "part\(k)", place: .arena(offset: 0),
          type: TensorType(.f64, [chunks * reductions.count])))
      let partials = result.buffers.count - 1
      result.kernels[k].kind = .chunkedReduction(
        ChunkedLoop(loop: loop, chunks: chunks, partials: partials))
      result.kernels[k].writes = (result.kernels[k].writes + [partials]).sorted()
    }
    return result
  }
}

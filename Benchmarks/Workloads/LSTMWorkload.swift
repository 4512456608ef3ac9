import Foundation
import GraphCompiler
import GraphIR
import GraphLanguage
import GraphTestSupport

/// W8: the gradient of GradBench's diagonal-LSTM loss (2 layers, 14 bits per character, 1,024
/// characters), from the tool's own template `GradBench/lstm.graph` (a `scan` over the
/// characters per layer), against the same loss and gradient written by hand in C
/// (`kernels/reference/w8_lstm.c`), timed in turn in the same process on the same data.
struct LSTMWorkload {
  let layers = 2
  let bits = 14
  let characters = 1024

  /// The template with its placeholders filled in for these sizes, and its `#step` block
  /// (one layer) written once per layer, as `graphc gradbench` does.
  func source() throws -> String {
    let url = packageRoot().appendingPathComponent("GradBench/lstm.graph")
    let text = try String(contentsOf: url, encoding: .utf8)
    let (l, b, c) = (layers, bits, characters)
    let sizes = [
      "l": l, "b": b, "c": c, "rows": 2 * l, "b2": 2 * b, "b3": 3 * b, "b4": 4 * b, "steps": c - 1,
      "count": (c - 1) * b, "main_count": 8 * l * b, "extra_count": 3 * b,
    ]
    func fill(_ line: Substring, _ values: [String: Int]) -> String {
      values.reduce(String(line)) {
        $0.replacingOccurrences(of: "{{\($1.key)}}", with: "\($1.value)")
      }
    }
    var lines: [String] = []
    var block: [Substring]?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      switch line.trimmingCharacters(in: .whitespaces) {
      case "#step": block = []
      case "#end step":
        for layer in 1...l {
          let values = sizes.merging([
            "L": layer, "previous": layer - 1, "weight_row": 2 * layer - 2,
            "bias_row": 2 * layer - 1,
          ]) { _, own in own }
          lines += (block ?? []).map { fill($0, values) }
        }
        block = nil
      default:
        if block != nil { block?.append(line) } else { lines.append(fill(line, sizes)) }
      }
    }
    return lines.joined(separator: "\n")
  }

  @MainActor func run(_ reference: ReferenceKernels, runs: Int) throws {
    let (l, b, c) = (layers, bits, characters)
    var rng = SeededGenerator(seed: 8)
    let main = (0..<8 * l * b).map { _ in rng.unit() }
    let extra = (0..<3 * b).map { _ in rng.unit() }
    let state = (0..<2 * l * b).map { _ in rng.unit() }
    // The eval's sequence: the bits of each character of a text; here random bits.
    let sequence = (0..<c * b).map { _ in Double(rng.next() % 2) }
    var handGradient = [Double](repeating: 0, count: 8 * l * b + 3 * b)
    var work = [Double](repeating: 0, count: reference.w8WorkSize(Int32(l), Int32(b), Int32(c)))
    var handLoss = 0.0
    let hand = {
      handLoss = reference.w8(
        Int32(l), Int32(b), Int32(c), main, extra, state, sequence, &handGradient, &work)
    }
    try hand()

    let graph = try GraphParser.parse(try source(), fileName: "lstm.graph")
    var variants: [(name: String, run: () throws -> Void, note: String)] = []
    for (name, ctx) in contexts(graph) {
      try ctx.setInput("main_params", Tensor(.f64, shape: [2 * l, 4 * b], scalars: main))
      try ctx.setInput("extra_params", Tensor(.f64, shape: [3, b], scalars: extra))
      try ctx.setInput("state", Tensor(.f64, shape: [2 * l, b], scalars: state))
      try ctx.setInput("sequence", Tensor(.f64, shape: [c, b], scalars: sequence))
      try ctx.run()
      guard let loss = ctx.output("objective")?.scalars[0],
        let gradient = ctx.output("jacobian")?.scalars, gradient.count == handGradient.count
      else { throw BenchmarkError("W8: the graph's outputs are not the loss and its gradient") }
      let worst = zip(gradient, handGradient).reduce(0) { max($0, abs($1.0 - $1.1)) }
      let note =
        "loss \(String(format: "%.12f", loss)) (C: \(String(format: "%.12f", handLoss))); "
        + "gradient max abs. diff \(String(format: "%.1e", worst)); "
        + "\(ctx.compiled.kernelCount) kernels"
      variants.append((name, { try ctx.run() }, note))
    }
    let times = try interleavedMedianMilliseconds(runs: runs, [hand] + variants.map(\.run))
    report("W8", "hand C (lstm loss and gradient)", times[0], vs: nil)
    for (variant, ms) in zip(variants, times.dropFirst()) {
      report("W8", variant.name, ms, vs: times[0], note: variant.note)
    }
    let compile = try medianMilliseconds(runs: runs) {
      let graph = try GraphParser.parse(try source(), fileName: "lstm.graph")
      _ = try Pipeline.compile(graph, options: CompileOptions(backend: .tcc))
    }
    report("W8", "template to compiled gradient, graphc tcc", compile, vs: nil)
  }
}

// The performance workloads of issue 4, each timed in the same process as the same
// computation hand-written in C (kernels/reference, built with -O3 -march=native and
// OpenBLAS) and, for W2 and W3, Swift's _Differentiation. Reports medians and ratios.
//
//   swift run -c release workloads [--runs N] [--json] [--only W1|...|W9]
import Autodiff
import Foundation
import GraphCompiler
import GraphIR
import GraphLanguage
import GraphTraining

let arguments = CommandLine.arguments
let runs = arguments.firstIndex(of: "--runs").flatMap { Int(arguments[$0 + 1]) } ?? 7
let json = arguments.contains("--json")
let only = arguments.firstIndex(of: "--only").map { arguments[$0 + 1] }
/// Whether to run `workload` (all of them unless `--only` names one).
func selected(_ workload: String) -> Bool { only == nil || only == workload }
var rows: [Row] = []

@MainActor func report(
  _ workload: String, _ variant: String, _ ms: Double, vs base: Double?, note: String? = nil
) {
  let ratio = base.map { ms / $0 }
  rows.append(Row(workload: workload, variant: variant, milliseconds: ms, ratio: ratio, note: note))
  if !json {
    let r = ratio.map { String(format: "%6.2fx", $0) } ?? "       "
    let label = (workload + " " + variant).padding(toLength: 48, withPad: " ", startingAt: 0)
    print(label + String(format: "%10.3f ms ", ms) + r + " " + (note ?? ""))
  }
}

/// Compiles `graph` for each backend and thread count, skipping backends not available.
func contexts(_ graph: Graph, threads: [Int] = [1]) -> [(String, ExecutionContext)] {
  var result: [(String, ExecutionContext)] = []
  for backend in [Backend.tcc, .cc] {
    for t in threads {
      do {
        let compiled = try Pipeline.compile(
          graph, options: CompileOptions(backend: backend, threads: t))
        result.append(
          ("graphc \(backend)\(t > 1 ? ", \(t) threads" : "")", try compiled.makeContext()))
      } catch {
        if !json { print("     graphc \(backend): not available (\(error))") }
      }
    }
  }
  return result
}

func relativeDifference(_ a: Double, _ b: Double) -> Double {
  abs(a - b) / max(abs(a), abs(b), 1e-300)
}

let reference = try ReferenceKernels()
if !json {
  print(
    "reference C: \(reference.compilerVersion) -O3 -march=native -fopenmp-simd; \(runs) runs each, medians\n"
  )
}

// MARK: W3: sum(tanh(0.7x + 0.3) * sigmoid(x)) and its gradient, 2^24 f32.
if selected("W3") {
  let n = 1 << 24
  var rng = SeededGenerator(seed: 3)
  let x = (0..<n).map { _ in Float(rng.normal() * 3) }
  var slope = [Float](repeating: 0, count: n)
  var refValue = 0.0
  let libm = medianMilliseconds(runs: runs) { refValue = reference.w3libm(x, n, &slope) }
  let vexp = medianMilliseconds(runs: runs) { _ = reference.w3vexp(x, n, &slope) }
  report("W3", "hand C, scalar expf/tanhf (libm)", libm, vs: nil)
  report("W3", "hand C, vectorisable exp", vexp, vs: nil)

  let b = GraphBuilder()
  let xv = try b.input("x", .f32, shape: [n])
  let y = try sum(tanh(0.7 * xv + 0.3) * sigmoid(xv))
  b.outputs(["y": y, "dy": try grad(y, xv)])
  for (name, ctx) in contexts(b.graph, threads: [1, 2]) {
    try ctx.withInput("x") { buffer in _ = x.withUnsafeBytes { buffer.copyMemory(from: $0) } }
    let ms = try medianMilliseconds(runs: runs) { try ctx.run() }
    let value = ctx.output(at: 0).scalars[0]
    let base = name.contains("tcc") ? libm : vexp
    // Bytes one call must move: x in, gradient out, plus any intermediate buffer written
    // and read back. One pass over the data is 2 * 4 * n.
    let moved = 2 * 4 * n + 2 * ctx.compiled.arenaBytes
    let passes = String(format: "%.2f", Double(moved) / Double(2 * 4 * n))
    report(
      "W3", name, ms, vs: base,
      note:
        "vs \(name.contains("tcc") ? "libm" : "vexp") C; \(ctx.compiled.kernelCount) kernel(s), "
        + "\(ctx.compiled.arenaBytes) B intermediate, \(passes) passes over x; "
        + "value rel. diff \(String(format: "%.1e", relativeDifference(value, refValue)))")
  }
  let swiftRuns = max(1, runs / 3)
  let swiftAD = medianMilliseconds(runs: swiftRuns) { _ = SwiftAutodiffBaselines.w3(x, &slope) }
  report("W3", "Swift _Differentiation", swiftAD, vs: vexp, note: "vs vexp C")
}

// MARK: W2: extended Rosenbrock, n = 1000, f64, value and gradient.
if selected("W2") {
  let n = 1000
  var rng = SeededGenerator(seed: 5)
  let x = (0..<n).map { _ in rng.normal() }
  var slope = [Double](repeating: 0, count: n)
  var refValue = 0.0
  let repeats = 1000  // one evaluation is microseconds: time 1000 and report per call
  let hand =
    medianMilliseconds(runs: runs) {
      for _ in 0..<repeats { refValue = reference.w2(x, n, &slope) }
    } / Double(repeats)
  report("W2", "hand C", hand, vs: nil)
  let b = GraphBuilder()
  let xv = try b.input("x", .f64, shape: [n])
  let head = try xv[.range(1, nil)]
  let tail = try xv[.range(nil, -1)]
  let f = try sum(100 * (head - tail ** 2) ** 2 + (1 - tail) ** 2)
  b.outputs(["f": f, "df": try grad(f, xv)])
  for (name, ctx) in contexts(b.graph) {
    try ctx.setInput("x", Tensor(.f64, shape: [n], scalars: x))
    let ms =
      try medianMilliseconds(runs: runs) { for _ in 0..<repeats { try ctx.run() } }
      / Double(repeats)
    report(
      "W2", name, ms, vs: hand,
      note:
        "value rel. diff \(String(format: "%.1e", relativeDifference(ctx.output(at: 0).scalars[0], refValue)))"
    )
  }
  let swiftAD = medianMilliseconds(runs: max(1, runs / 3)) { _ = SwiftAutodiffBaselines.w2(x) }
  report("W2", "Swift _Differentiation", swiftAD, vs: hand)
}

// MARK: W1: MLP 784-256-256-10, batch 128, f32, softmax cross-entropy, one SGD step.
if selected("W1") {
  let (batch, sizes) = (128, [784, 256, 256, 10])
  var rng = SeededGenerator(seed: 7)
  let images = (0..<batch * 784).map { _ in Float(rng.unit()) }
  var labels = [Float](repeating: 0, count: batch * 10)
  for i in 0..<batch { labels[i * 10 + Int(rng.next() % 10)] = 1 }
  var weights: [[Float]] = []
  for l in 0..<3 {
    let std = (2.0 / Double(sizes[l])).squareRoot()
    weights.append((0..<sizes[l] * sizes[l + 1]).map { _ in Float(rng.normal() * std) })
    weights.append([Float](repeating: 0.01, count: sizes[l + 1]))
  }
  // The hand-written step updates its parameters in place; give it its own copies.
  let scratchSizes = [
    128 * 256, 128 * 256, 128 * 10, 128 * 10, 128 * 256, 128 * 256, 784 * 256, 256 * 256, 256 * 10,
  ]
  let table =
    weights.map(heapCopy) + scratchSizes.map { heapCopy([Float](repeating: 0, count: $0)) }
  let tablePointer = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(
    capacity: table.count)
  tablePointer.initialize(from: table, count: table.count)
  var refLoss: Float = 0
  let hand = medianMilliseconds(runs: runs) {
    refLoss = reference.w1(
      UnsafeMutableRawPointer(tablePointer), images, labels, Int32(batch), 0.01)
  }
  report("W1", "hand C + OpenBLAS", hand, vs: nil)

  let b = GraphBuilder()
  let x = try b.input("image", .f32, shape: [batch, 784])
  let onehot = try b.input("label", .f32, shape: [batch, 10])
  let net = try Sequential(b, sizes: sizes, hidden: .relu)
  let loss = try Loss.softmaxCrossEntropy(logits: net(x), onehot: onehot)
  let step = try TrainingStep(
    b, loss: loss.id, parameters: net.parameters.map(\.id), optimizer: .sgd(momentum: 0))
  for (name, ctx) in contexts(step.graph) {
    try ctx.setInput("image", Tensor(.f32, shape: [batch, 784], scalars: images.map(Double.init)))
    try ctx.setInput("label", Tensor(.f32, shape: [batch, 10], scalars: labels.map(Double.init)))
    try ctx.setInput(TrainingStep.learningRateInput, Tensor(0.01, dtype: .f32))
    try ctx.setInput(TrainingStep.stepInput, Tensor(1, dtype: .f32))
    for (k, name) in step.parameters.enumerated() {
      try ctx.setInput(
        name,
        Tensor(
          .f32, shape: step.graph[step.graph.argument(named: name)!].type.shape,
          scalars: weights[k].map(Double.init)))
    }
    let ms = try medianMilliseconds(runs: runs) { try ctx.run() }
    report(
      "W1", name, ms, vs: hand,
      note: "first-step loss \(ctx.output(at: 0).scalars[0]) (C: first call)")
  }
  _ = refLoss
}

// MARK: W4: W1 from .graph source text to its first result (parse, differentiate,
// optimise, emit C, compile with TinyCC, run once), median of fresh runs.
if selected("W4") {
  let source = """
    input image: f32[128, 784]
    input label: f32[128, 10]
    param w1: f32[784, 256] = normal(0.05)
    param b1: f32[256] = zeros
    param w2: f32[256, 256] = normal(0.09)
    param b2: f32[256] = zeros
    param w3: f32[256, 10] = normal(0.09)
    param b3: f32[10] = zeros
    h1 = relu(image @ w1 + b1)
    h2 = relu(h1 @ w2 + b2)
    loss = cross_entropy(h2 @ w3 + b3, label)
    w1_next = w1 - 0.01 * grad(loss, w1)
    b1_next = b1 - 0.01 * grad(loss, b1)
    w2_next = w2 - 0.01 * grad(loss, w2)
    b2_next = b2 - 0.01 * grad(loss, b2)
    w3_next = w3 - 0.01 * grad(loss, w3)
    b3_next = b3 - 0.01 * grad(loss, b3)
    output loss, w1_next, b1_next, w2_next, b2_next, w3_next, b3_next
    """
  let inputs = [
    "image": Tensor(.f32, shape: [128, 784], scalars: [Double](repeating: 0.5, count: 128 * 784)),
    "label": Tensor(.f32, shape: [128, 10], scalars: (0..<1280).map { $0 % 10 == 3 ? 1 : 0 }),
  ]
  for backend in [Backend.tcc] {
    let ms = try medianMilliseconds(runs: runs) {
      let graph = try GraphParser.parse(source, fileName: "w1.graph")
      let compiled = try Pipeline.compile(graph, options: CompileOptions(backend: backend))
      var values = inputs
      values.merge(compiled.paramDefaults) { a, _ in a }
      _ = try compiled.run(values)
    }
    report(
      "W4", "W1 .graph source to first result, graphc \(backend)", ms, vs: nil,
      note: "target <= 10 ms")
  }
}

// MARK: W5: the fashion-mnist example's step: MLP 784-256-10, batch 128, f32, Adam.
if selected("W5") {
  let batch = 128
  var rng = SeededGenerator(seed: 9)
  let images = (0..<batch * 784).map { _ in Float(rng.unit()) }
  var labels = [Float](repeating: 0, count: batch * 10)
  for i in 0..<batch { labels[i * 10 + Int(rng.next() % 10)] = 1 }
  let sizes = [784 * 256, 256, 256 * 10, 10]
  let weights = sizes.map { n in (0..<n).map { _ in Float(rng.normal() * 0.05) } }
  let zeros = sizes.map { [Float](repeating: 0, count: $0) }
  let scratch = [128 * 256, 128 * 10, 128 * 10, 128 * 256, 784 * 256, 256, 256 * 10, 10]
  let table =
    (weights + zeros + zeros).map(heapCopy)
    + scratch.map { heapCopy([Float](repeating: 0, count: $0)) }
  let tablePointer = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(
    capacity: table.count)
  tablePointer.initialize(from: table, count: table.count)
  var t: Int32 = 0
  let hand = medianMilliseconds(runs: runs) {
    t += 1
    _ = reference.w5(UnsafeMutableRawPointer(tablePointer), images, labels, Int32(batch), 0.002, t)
  }
  report("W5", "hand C + OpenBLAS (fashion-mnist step, Adam)", hand, vs: nil)

  let b = GraphBuilder()
  let x = try b.input("image", .f32, shape: [batch, 784])
  let onehot = try b.input("label", .f32, shape: [batch, 10])
  let net = try Sequential(b, sizes: [784, 256, 10], hidden: .relu)
  let loss = try Loss.softmaxCrossEntropy(logits: net(x), onehot: onehot)
  let step = try TrainingStep(
    b, loss: loss.id, parameters: net.parameters.map(\.id), optimizer: .adam)
  for (name, ctx) in contexts(step.graph) {
    try ctx.setInput("image", Tensor(.f32, shape: [batch, 784], scalars: images.map(Double.init)))
    try ctx.setInput("label", Tensor(.f32, shape: [batch, 10], scalars: labels.map(Double.init)))
    try ctx.setInput(TrainingStep.learningRateInput, Tensor(0.002, dtype: .f32))
    try ctx.setInput(TrainingStep.stepInput, Tensor(1, dtype: .f32))
    for (k, param) in step.parameters.enumerated() {
      let shape = [[784, 256], [256], [256, 10], [10]][k]
      try ctx.setInput(param, Tensor(.f32, shape: shape, scalars: weights[k].map(Double.init)))
    }
    let ms = try medianMilliseconds(runs: runs) { try ctx.run() }
    report("W5", name, ms, vs: hand, note: "\(String(format: "%.0f", 1000 / ms)) steps/s")
  }
}

// MARK: W6: the fashion-mnist demo's CNN step (`Sequential.convolutional`: 5x5 convolutions
// of 16 and 32 channels with 2x2 max pooling, dense 1568-128-10), batch 128, f32, Adam,
// integer labels.
if selected("W6") {
  let (batch, channels, hidden) = (128, [16, 32], 128)
  var rng = SeededGenerator(seed: 11)
  let images = (0..<batch * 784).map { _ in Float(rng.unit()) }
  let labels = (0..<batch).map { _ in Int32(rng.next() % 10) }
  func cnnStep() throws -> TrainingStep {
    let b = GraphBuilder()
    let x = try b.input("image", .f32, shape: [batch, 784])
    let label = try b.input("label", .i32, shape: [batch])
    let net = try Sequential.convolutional(b, channels: channels, hidden: hidden)
    let loss = try crossEntropy(logits: net(reshape(x, [batch, 1, 28, 28])), labels: label)
    return try TrainingStep(
      b, loss: loss.id, parameters: net.parameters.map(\.id), optimizer: .adam)
  }
  let step = try cnnStep()
  let shapes = step.parameters.map { name in
    step.graph.argument(named: name).map { step.graph[$0].type.shape } ?? []
  }
  // He-scaled weights (fan-in: C*KH*KW for a convolution, the rows of a dense matrix), biases
  // 0.01, so every ReLU passes part of its inputs.
  let weights = shapes.map { shape in
    let fanIn = shape.count == 4 ? shape[1...].reduce(1, *) : shape.count == 2 ? shape[0] : 0
    let std = fanIn > 0 ? (2.0 / Double(fanIn)).squareRoot() : 0
    return (0..<shape.reduce(1, *)).map { _ in fanIn > 0 ? Float(rng.normal() * std) : 0.01 }
  }
  let copies = weights.map { UnsafePointer(heapCopy($0)) }
  let table = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: copies.count)
  table.initialize(from: copies, count: copies.count)
  let state = reference.w6Create(
    Int32(batch), Int32(channels[0]), Int32(channels[1]), Int32(hidden), table)
  var t: Int32 = 0
  var refLoss: Float = 0
  // CPU time of this thread: everything here runs on it (one kernel thread, one BLAS
  // thread), and on a shared machine wall time would also count waiting for a core.
  let hand = medianCPUMilliseconds(runs: runs) {
    t += 1
    let loss = reference.w6Step(state, images, labels, 0.001, t)
    if t == 1 { refLoss = loss }
  }
  report("W6", "hand C + OpenBLAS (im2col; CNN step, Adam)", hand, vs: nil)

  for (name, ctx) in contexts(step.graph) {
    try ctx.setInput("image", Tensor(.f32, shape: [batch, 784], scalars: images.map(Double.init)))
    try ctx.setInput("label", Tensor(.i32, shape: [batch], scalars: labels.map(Double.init)))
    try ctx.setInput(TrainingStep.learningRateInput, Tensor(0.001, dtype: .f32))
    try ctx.setInput(TrainingStep.stepInput, Tensor(1, dtype: .f32))
    for (k, param) in step.parameters.enumerated() {
      try ctx.setInput(
        param, Tensor(.f32, shape: shapes[k], scalars: weights[k].map(Double.init)))
    }
    let ms = try medianCPUMilliseconds(runs: runs) { try ctx.run() }
    let loss = ctx.output(at: 0).scalars[0]
    report(
      "W6", name, ms, vs: hand,
      note:
        "first-step loss \(String(format: "%.6f", loss)) (C: \(String(format: "%.6f", refLoss))); "
        + "\(ctx.compiled.kernelCount) kernels, \(ctx.compiled.arenaBytes >> 20) MiB arena")
  }

  // From the Swift definition to a callable step: build and differentiate the graph,
  // optimise, plan, emit C and compile with TinyCC. Making a context (allocating and zeroing
  // the arena, whose pages are touched for the first time) is reported beside it.
  let compiled = try Pipeline.compile(try cnnStep().graph, options: CompileOptions(backend: .tcc))
  let compile = try medianCPUMilliseconds(runs: runs) {
    _ = try Pipeline.compile(try cnnStep().graph, options: CompileOptions(backend: .tcc))
  }
  let context = try medianCPUMilliseconds(runs: 3) { _ = try compiled.makeContext() }
  report(
    "W6", "Swift definition to compiled step, graphc tcc", compile, vs: nil,
    note: String(
      format: "target < 50 ms; then a context (%d MiB arena) %.1f ms",
      compiled.arenaBytes >> 20, context))
}

// MARK: W7: the char-transformer example's step (see TransformerWorkload).
if selected("W7") {
  try TransformerWorkload().run(reference, runs: runs)
}

// MARK: W8: the gradient of GradBench's lstm loss (see LSTMWorkload).
if selected("W8") {
  try LSTMWorkload().run(reference, runs: runs)
}

// MARK: W9: the gradient of the RK4 optimal-control cost (see OptimalControlWorkload).
if selected("W9") {
  try OptimalControlWorkload().run(reference, runs: runs)
}

if json {
  let data = try JSONEncoder().encode(rows)
  print(String(decoding: data, as: UTF8.self))
}

/// A heap copy the C code may keep pointers to (the benchmark's lifetime).
func heapCopy(_ values: [Float]) -> UnsafeMutablePointer<Float> {
  let p = UnsafeMutablePointer<Float>.allocate(capacity: max(values.count, 1))
  p.initialize(from: values, count: values.count)
  return p
}

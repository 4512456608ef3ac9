import Foundation
import GraphCompiler
import GraphIR
import GraphLanguage
import GraphTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// `graphc-bench`: median time from a built 50-op graph to a callable kernel (TinyCC).
///
/// The graph is an MLP-style chain mixing elementwise ops, broadcasts, a reduction and a
/// matmul, built through `GraphBuilder` on every iteration so the figure covers
/// optimise + lower + emit + compile + relocate.
func buildGraph() throws -> Graph {
  let b = GraphBuilder()
  let x = try b.input("x", TensorType(.f32, [32, 16]))
  let w = try b.param("w", TensorType(.f32, [16, 8]), initializer: .normal(std: 0.1))
  let bias = try b.param("b", TensorType(.f32, [8]))
  var h = try b.tanh(try b.add(try b.matmul(x, w), bias))
  var ops = 4
  var k = 0.0
  while ops < 48 {
    k += 1
    let c = b.scalar(0.01 * k, like: h)
    h = try b.add(try b.mul(try b.sin(h), c), try b.exp(try b.neg(try b.mul(h, h))))
    ops += 6
  }
  b.output("loss", try b.sum(h))
  b.output("h", h)
  return b.graph
}

func now() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

do {
  let graph = try buildGraph()
  print("graph: \(graph.nodes.count) nodes")
  var times: [Double] = []
  var kernels = 0
  for _ in 0..<101 {
    let start = now()
    let compiled = try Pipeline.compile(try buildGraph())
    times.append(now() - start)
    kernels = compiled.kernelCount
  }
  times.sort()
  let median = times[times.count / 2] * 1e3
  print("kernels: \(kernels)")
  print("compile (build graph -> callable), median of \(times.count): \(median) ms")
  print("min \(times[0] * 1e3) ms, max \(times[times.count - 1] * 1e3) ms")

  // Run time of the fused loss-and-gradient kernel, one pass over 1M f32 elements.
  let b = GraphBuilder()
  try buildLossAndGradient(b, .f32, count: 1 << 20)
  let compiled = try Pipeline.compile(b.graph)
  let context = try compiled.makeContext()
  var runs: [Double] = []
  for _ in 0..<11 {
    let start = now()
    try context.run()
    runs.append(now() - start)
  }
  runs.sort()
  print(
    "fused loss+gradient, 1M f32, \(compiled.kernelCount) kernel(s): median \(runs[5] * 1e3) ms")

  // An MLP forward pass (batch 256, 784 -> 64 -> 10, tanh, f32) on 1 and 2 threads.
  let m = GraphBuilder()
  let input = try m.input("x", TensorType(.f32, [256, 784]))
  let w1 = try m.param("w1", TensorType(.f32, [784, 64]), initializer: .normal(std: 0.05))
  let w2 = try m.param("w2", TensorType(.f32, [64, 10]), initializer: .normal(std: 0.1))
  let hidden = try m.tanh(try m.matmul(input, w1))
  m.output("logits", try m.matmul(hidden, w2))
  for threads in [1, 2] {
    let mlp = try Pipeline.compile(m.graph, options: CompileOptions(threads: threads))
    let mlpContext = try mlp.makeContext()
    var times: [Double] = []
    for _ in 0..<11 {
      let start = now()
      try mlpContext.run()
      times.append(now() - start)
    }
    times.sort()
    print("MLP forward 256x784->64->10 f32, \(threads) thread(s): median \(times[5] * 1e3) ms")
  }

  // From .graph source text to the first result: parse, differentiate, optimise, emit,
  // compile and run once. A seed-sized file and a 3,000-line chain of definitions.
  let seeds = """
    input x
    input y
    f = 3*x^2 + 2*x + 1
    g = x^2 + 3*x*y + y^2
    p = x^2 * exp(x)
    df = grad(f, x)
    dgdx = grad(g, x)
    dgdy = grad(g, y)
    dp = grad(p, x)
    d2p = grad(dp, x)
    output f, df, dgdx, dgdy, dp, d2p
    """
  var chain = "input x\nv0 = x\n"
  for i in 1...3000 { chain += "v\(i) = sin(v\(i - 1)) * 0.5 + x\n" }
  chain += "d = grad(v3000, x)\noutput v3000, d\n"
  for (name, source, runs) in [
    ("seeds (11 lines)", seeds, 51), ("3,000-line chain + grad", chain, 5),
  ] {
    var times: [Double] = []
    for _ in 0..<runs {
      let start = now()
      let graph = try GraphParser.parse(source, fileName: "bench.graph")
      let compiled = try Pipeline.compile(graph)
      _ = try compiled.run(
        ["x": Tensor(0.5), "y": Tensor(1.5)].filter { graph.argument(named: $0.key) != nil })
      times.append(now() - start)
    }
    times.sort()
    print(".graph source to first result, \(name): median \(times[times.count / 2] * 1e3) ms")
  }
} catch {
  print("error: \(error)")
}

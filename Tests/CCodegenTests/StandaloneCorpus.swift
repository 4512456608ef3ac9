import Autodiff
import GraphIR
import GraphTestSupport

/// A graph to export, named so its name is a C identifier.
struct ExportCase: CustomStringConvertible {
  var name: String
  var graph: Graph
  var description: String { name }
}

/// Graphs for the warning-free export test: every op on its own (so each file uses exactly
/// one prelude helper), empty shapes, matrix products of every layout (including an empty
/// inner dimension), big reductions that run in chunks, kernels big enough for the
/// parallel-for, and the kernel kinds found by passes (biased products, `a - b * s`
/// updates, column sums, shifted sums). Simplified first, as `graphc emit-c` does.
func exportCorpus() -> [ExportCase] {
  var cases: [ExportCase] = []
  func add(_ name: String, _ build: (GraphBuilder) throws -> Void) {
    let b = GraphBuilder()
    do { try build(b) } catch { preconditionFailure("export case \(name): \(error)") }
    cases.append(ExportCase(name: name, graph: Simplify.run(b.graph)))
  }
  for t in DType.floats {
    func T(_ shape: [Int]) -> TensorType { TensorType(t, shape) }
    let unary: [(String, Op)] = [
      ("neg", .neg), ("exp", .exp), ("log", .log), ("sin", .sin), ("cos", .cos), ("tan", .tan),
      ("tanh", .tanh), ("sqrt", .sqrt), ("abs", .abs), ("erf", .erf), ("lgamma", .lgamma),
      ("digamma", .polygamma(order: 0)), ("trigamma", .polygamma(order: 1)),
    ]
    for (name, op) in unary {
      add("\(name)_\(t)") { b in b.output("y", try b.apply(op, [try b.input("x", T([3, 4]))])) }
    }
    let binary: [(String, Op)] = [
      ("add", .add), ("sub", .sub), ("mul", .mul), ("div", .div), ("pow", .pow),
      ("maximum", .maximum), ("minimum", .minimum), ("less", .less),
      ("less_equal", .lessEqual), ("greater", .greater), ("greater_equal", .greaterEqual),
      ("equal", .equal), ("not_equal", .notEqual),
    ]
    for (name, op) in binary {
      add("\(name)_\(t)") { b in
        b.output("z", try b.apply(op, [try b.input("x", T([5])), try b.input("y", T([5]))]))
      }
    }
    add("select_\(t)") { b in
      let x = try b.input("x", T([4]))
      b.output("y", try b.select(try b.input("c", T([4])), x, try b.neg(x)))
    }
    add("cast_\(t)") { b in
      b.output("y", try b.cast(try b.input("x", T([4])), to: t == .f32 ? .f64 : .f32))
    }
    add("broadcast_\(t)") { b in
      b.output("y", try b.broadcast(try b.input("x", T([3, 1])), to: [2, 3, 4]))
    }
    add("reshape_\(t)") { b in
      b.output("y", try b.exp(try b.reshape(try b.input("x", T([3, 4])), to: [2, 6])))
    }
    add("transpose_\(t)") { b in
      b.output("y", try b.transpose(try b.input("x", T([2, 3, 4])), permutation: [2, 0, 1]))
    }
    add("cumsum_\(t)") { b in
      let x = try b.input("x", T([3, 4, 2]))
      b.output("y", try b.cumsum(x, axis: 1))
      b.output("r", try b.apply(.cumsum(axis: 0, reverse: true), [b.constant(2, T([5]))]))
    }
    add("stepped_slice_\(t)") { b in
      let x = try b.input("x", T([5, 6]))
      b.output("y", try b.index(x, [.range(nil, nil, step: -2), .range(1, 6, step: 3)]))
    }
    add("slice_\(t)") { b in
      b.output("y", try b.slice(try b.input("x", T([3, 4])), start: [1, 1], end: [3, 3]))
    }
    add("pad_\(t)") { b in
      b.output("y", try b.pad(try b.input("x", T([3, 4])), low: [1, 0], high: [0, 2]))
    }
    add("concat_\(t)") { b in
      let x = try b.input("x", T([3, 4]))
      b.output("y", try b.concat([x, try b.neg(x)], axis: 1))
    }
    add("reductions_\(t)") { b in
      let x = try b.input("x", T([2, 3, 4]))
      b.output("lead", try b.sum(x, axes: [0]))
      b.output("middle", try b.sum(x, axes: [1]))
      b.output("trail", try b.sum(x, axes: [2]))
      b.output("all", try b.sum(x))
    }
    add("max_reductions_\(t)") { b in
      let x = try b.input("x", T([2, 3, 4]))
      b.output("lead", try b.reduceMax(x, axes: [0]))
      b.output("trail", try b.reduceMax(x, axes: [2]))
      b.output("all", try b.reduceMax(x))
    }
    add("big_sum_\(t)") { b in b.output("s", try b.sum(try b.input("q", T([1_048_576])))) }
    add("big_max_\(t)") { b in b.output("m", try b.reduceMax(try b.input("q", T([100_003])))) }
    add("big_fused_\(t)") { b in
      let e = try b.exp(try b.input("q", T([300_000])))
      b.output("e", e)
      b.output("s", try b.sum(e))
      b.output("m", try b.reduceMax(e))
    }
    add("big_elementwise_\(t)") { b in
      b.output("y", try b.sin(try b.input("x", T([512, 256]))))
    }
    add("big_matmul_\(t)") { b in
      b.output("c", try b.matmul(try b.input("a", T([96, 80])), try b.input("w", T([80, 64]))))
    }
    add("matmul_layouts_\(t)") { b in
      let a = try b.input("a", T([3, 5]))
      let w = try b.input("w", T([5, 4]))
      let v = try b.input("v", T([5]))
      b.output("mm", try b.matmul(a, w))
      b.output("ta", try b.matmul(try b.transpose(a), a))
      b.output("tb", try b.matmul(a, try b.transpose(a)))
      b.output("tt", try b.matmul(try b.transpose(w), try b.transpose(a)))
      b.output("mv", try b.matmul(a, v))
      b.output("vv", try b.matmul(v, v))
      b.output("constant", try b.matmul(a, b.constant(0.5, T([5, 2]))))
    }
    add("dense_layer_\(t)") { b in
      let x = try b.input("x", T([4, 3]))
      let w = try b.param("w", T([3, 2]))
      let bias = try b.param("bias", T([2]))
      b.output("y", try b.tanh(try b.add(try b.matmul(x, w), bias)))
    }
    add("conv_pool_\(t)") { b in
      let x = try b.input("x", T([2, 3, 7, 6]))
      let w = try b.input("w", T([4, 3, 3, 2]))
      let y = try b.conv2d(x, w, stride: [2, 1], padding: [1, 1], dilation: [1, 2])
      let p = try b.maxPool2d(y, kernel: [2, 2])
      let a = try b.avgPool2d(y, kernel: [2, 1], stride: [1, 1])
      let loss = try b.add(b.sum(b.mul(p, p)), b.sum(a))
      b.output("loss", loss)
      b.output("gx", try gradient(of: loss, withRespectTo: [x], in: b)[0])
    }
    add("matmul_stacks_\(t)") { b in
      let a = try b.input("a", T([2, 3, 5]))
      let w = try b.input("w", T([2, 5, 4]))
      b.output("mm", try b.matmul(a, w))
      b.output("tt", try b.matmul(try b.matrixTranspose(w), try b.matrixTranspose(a)))
      b.output("bc", try b.matmul(a, try b.input("m", T([5, 4]))))
    }
    add("matmul_empty_inner_\(t)") { b in
      let y = try b.input("y", T([3, 0]))
      b.output("z", try b.matmul(y, try b.transpose(y)))
    }
    add("matmul_empty_rows_\(t)") { b in
      b.output("z", try b.matmul(try b.input("x", T([0, 3])), try b.input("w", T([3, 2]))))
    }
    add("matmul_empty_columns_\(t)") { b in
      b.output("z", try b.matmul(try b.input("x", T([2, 3])), try b.input("w", T([3, 0]))))
    }
    add("empty_shapes_\(t)") { b in
      let x = try b.input("x", T([0, 3]))
      b.output("exp", try b.exp(x))
      b.output("sum", try b.sum(x))
      b.output("sum_axis", try b.sum(x, axes: [0]))
      b.output("max", try b.reduceMax(x))
      b.output("concat", try b.concat([x, x], axis: 0))
      b.output("pad", try b.pad(x, low: [1, 0], high: [0, 0]))
      b.output("bcast", try b.add(try b.transpose(x), try b.input("col", T([3, 1]))))
    }
    add("only_empty_\(t)") { b in b.output("y", try b.exp(try b.input("x", T([0])))) }
    add("update_step_\(t)") { b in
      let w = try b.input("w", T([6, 5]))
      let step = try b.broadcast(try b.input("lr", T([])), to: [6, 5])
      b.output("next", try b.sub(w, try b.mul(try b.input("g", T([6, 5])), step)))
    }
    add("column_sums_\(t)") { b in
      let x = try b.input("x", T([128, 6]))
      b.output("s", try b.sum(try b.maximum(x, b.scalar(0, like: x)), axes: [0]))
    }
    add("shifted_sum_\(t)") { b in
      let x = try b.input("x", T([9]))
      let u = try b.pad(try b.exp(x), low: [0], high: [1])
      let v = try b.pad(try b.mul(x, x), low: [1], high: [0])
      b.output("y", try b.add(u, v))
    }
    add("loss_and_gradient_\(t)") { b in try buildLossAndGradient(b, t, count: 50) }
    add("outputs_without_work_\(t)") { b in
      let x = try b.input("x", T([2]))
      b.output("x", x)
      b.output("two", b.constant(2, T([2, 2])))
      b.output("reshaped", try b.reshape(x, to: [1, 2]))
    }
    add("constants_only_\(t)") { b in b.output("c", b.constant(-1.5, T([3]))) }
    add("scalars_\(t)") { b in
      let s = try b.input("s", T([]))
      b.output("y", try b.mul(try b.tanh(s), try b.log(s)))
    }
    add("scan_and_its_gradient_\(t)") { b in
      let (body, p) = try GraphBuilder.loopBody(parameters: [T([3]), T([3]), T([3])])
      let next = try body.tanh(body.add(body.mul(p[0], p[2]), p[1]))
      body.setOutputs([GraphOutput("h", next), GraphOutput("y", try body.sum(next))])
      let h0 = try b.input("h0", T([3]))
      let xs = try b.input("xs", T([5, 3]))
      let w = try b.input("w", T([3]))
      let r = try b.loop(count: 5, body: body.graph, carries: [h0], slices: [xs], captures: [w])
      let l = try b.sum(r[1])
      b.output("l", l)
      b.output("gw", try gradient(of: l, withRespectTo: [w], in: b)[0])
    }
    // The second derivative's loops pass bodies arguments some of them do not read.
    add("repeat_second_derivative_\(t)") { b in
      let (body, p) = try GraphBuilder.loopBody(parameters: [T([3]), T([3])])
      body.setOutputs([GraphOutput("h", try body.tanh(body.mul(p[0], p[1])))])
      let x = try b.input("x", T([3]))
      let w = try b.input("w", T([3]))
      let r = try b.loop(count: 5, body: body.graph, carries: [x], slices: [], captures: [w])
      let l = try b.sum(r[0])
      let g = try gradient(of: l, withRespectTo: [w], in: b)[0]
      b.output("l", l)
      b.output("hw", try gradient(of: try b.sum(g), withRespectTo: [w], in: b)[0])
    }
  }
  return cases
}

import Foundation
import GraphCompiler
import GraphIR
import GraphTestSupport
import GraphTraining
import Testing

/// The `Layer` protocol and its layers: values against hand-written loops, gradients
/// against central differences, and compiled kernels against the interpreter.
@Suite struct LayerTests {
  /// LayerNorm over the last axis, computed directly from its definition.
  static func layerNorm(_ x: [Double], rows: Int, epsilon: Double) -> [Double] {
    let width = x.count / rows
    var out: [Double] = []
    for r in 0..<rows {
      let row = Array(x[(r * width)..<((r + 1) * width)])
      let mean = row.reduce(0, +) / Double(width)
      let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
      out += row.map { ($0 - mean) / (variance + epsilon).squareRoot() }
    }
    return out
  }

  /// Compiles `graph`, adds the params' starting values to `inputs`, and checks each
  /// gradient of `loss` against central differences; returns both for further checks.
  static func checkParamGradients(
    _ graph: Graph, _ loss: Value, _ parameters: [Value], _ gradients: [Value],
    _ inputs: [String: Tensor]
  ) throws -> (CompiledGraph, [String: Tensor]) {
    var inputs = inputs
    let compiled = try Pipeline.compile(graph)
    inputs.merge(compiled.paramDefaults) { given, _ in given }
    for (param, gradient) in zip(parameters, gradients) {
      let name = try #require(graph[param.id].op.inputName)
      let error = try checkGradient(
        graph, of: loss.id, withRespectTo: name, gradient: gradient.id, at: inputs)
      #expect(error < 1e-6, "\(name): \(error)")
    }
    return (compiled, inputs)
  }

  @Test func layerNormMatchesItsDefinition() throws {
    let b = GraphBuilder()
    let x = try b.input("x", .f64, shape: [3, 4])
    let norm = try LayerNorm(b, name: "ln", features: 4, epsilon: 1e-3, dtype: .f64)
    b.outputs(["y": try norm(x)])
    let values = (0..<12).map { sin(Double($0) * 1.7) * 3 }
    let got = try Pipeline.compile(b.graph).run(["x": Tensor(shape: [3, 4], scalars: values)])
    let expected = Self.layerNorm(values, rows: 3, epsilon: 1e-3)
    let y = try #require(got["y"])
    for (g, e) in zip(y.scalars, expected) { #expect(abs(g - e) < 1e-12) }
    #expect(norm.parameters.map(\.type.shape) == [[4], [4]])
  }

  /// A stack of mixed layers: flatten, dense, activation, layer norm, dense; the gradient of
  /// its loss for every param, from `valueWithGradient`, against central differences.
  @Test func mixedStackGradients() throws {
    let b = GraphBuilder()
    let x = try b.input("x", .f64, shape: [2, 2, 3])
    let net = Sequential([
      Flatten(),
      try Linear(b, name: "d1", inputs: 6, outputs: 5, activation: .tanh, dtype: .f64),
      Activation.sigmoid,
      try LayerNorm(b, name: "ln", features: 5, dtype: .f64),
      try Dense(b, name: "d2", inputs: 5, outputs: 2, dtype: .f64),
    ])
    let loss = try sum(square(net(x)))
    let (value, gradients) = try valueWithGradient(of: loss, withRespectTo: net.parameters)
    b.outputs(["loss": value])
    #expect(net.parameters.count == 6)
    let x0 = Tensor(shape: [2, 2, 3], scalars: (0..<12).map { cos(Double($0)) })
    let (compiled, inputs) = try Self.checkParamGradients(
      b.graph, loss, net.parameters, gradients, ["x": x0])
    let got = try compiled.run(inputs)
    let expected = try Interpreter.run(b.graph, inputs)
    let (a, e) = (try #require(got["loss"]?.scalar), try #require(expected["loss"]?.scalar))
    #expect(abs(a - e) < 1e-12 * max(1, abs(e)))
  }

  /// A small CNN from layers: conv (relu), max pool, flatten, dense; gradients of every param
  /// against central differences.
  @Test func smallCNNGradients() throws {
    let b = GraphBuilder()
    let x = try b.input("x", .f64, shape: [2, 1, 6, 6])
    let net = Sequential([
      try Conv2D(
        b, name: "c1", inChannels: 1, outChannels: 2, kernel: [3, 3], padding: [1, 1],
        activation: .tanh, dtype: .f64),
      MaxPool2D(kernel: [2, 2]),
      AvgPool2D(kernel: [1, 1]),
      Flatten(),
      try Dense(b, name: "d", inputs: 18, outputs: 3, dtype: .f64),
    ])
    let loss = try sum(square(net(x)))
    let (_, gradients) = try valueWithGradient(of: loss, withRespectTo: net.parameters)
    b.outputs(["loss": loss])
    let x0 = Tensor(shape: [2, 1, 6, 6], scalars: (0..<72).map { sin(Double($0)) })
    _ = try Self.checkParamGradients(b.graph, loss, net.parameters, gradients, ["x": x0])
  }

  /// Embedding rows by token; repeated tokens add up their gradients.
  @Test func embeddingLooksUpAndAccumulates() throws {
    let b = GraphBuilder()
    let tokens = try b.input("tokens", .i64, shape: [4])
    let embed = try Embedding(b, name: "e", count: 5, features: 2, dtype: .f64)
    let rows = try embed(tokens)
    let loss = try sum(rows)
    let (_, gradients) = try valueWithGradient(of: loss, withRespectTo: embed.parameters)
    b.outputs(["rows": rows, "g": gradients[0]])
    let table = Tensor(shape: [5, 2], scalars: (0..<10).map(Double.init))
    let ids = Tensor(.i64, shape: [4], scalars: [3, 0, 3, -1])
    let got = try Pipeline.compile(b.graph).run(["tokens": ids, "e.table": table])
    #expect(got["rows"]?.scalars == [6, 7, 0, 1, 6, 7, 8, 9])
    #expect(got["g"]?.scalars == [1, 1, 0, 0, 0, 0, 2, 2, 1, 1])
  }
}

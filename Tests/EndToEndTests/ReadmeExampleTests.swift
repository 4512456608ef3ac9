import Autodiff
import GraphCompiler
import GraphIR
import Testing

/// The Swift API example of README.md, verbatim apart from `#expect` in place of `print`.
@Suite struct ReadmeExampleTests {
  @Test func swiftAPIExample() throws {
    let g = GraphBuilder()
    let x = try g.input("x")  // an f64 scalar
    let f = try 3 * x ** 2 + 2 * x + 1
    g.outputs(["f": f, "df": try grad(f, x), "d2f": try grad(grad(f, x), x)])

    let compiled = try Pipeline.compile(g.graph)  // TinyCC, in-process
    let out = try compiled.run(["x": Tensor(2)])
    #expect(out["f"] == Tensor(17))
    #expect(out["df"] == Tensor(14))
    #expect(out["d2f"] == Tensor(6))
    #expect(mathText(Simplify.run(g.graph)) == ["f = 3*x^2 + 2*x + 1", "df = 6*x + 2", "d2f = 6"])
  }

  @Test func tensorExample() throws {
    let g = GraphBuilder()
    let w = try g.param("w", .f32, shape: [3, 2], initializer: .normal(std: 0.1))
    let x = try g.input("x", .f32, shape: [4, 3])
    let y = try g.input("y", .f32, shape: [4, 2])
    let loss = try mean((matmul(x, w) - y) ** 2)
    g.outputs(["loss": loss, "dw": try grad(loss, w)])
    let compiled = try Pipeline.compile(g.graph)
    let inputs = [
      "x": Tensor(.f32, shape: [4, 3], scalars: (0..<12).map(Double.init)),
      "y": Tensor(.f32, shape: [4, 2], scalars: Array(repeating: 1, count: 8)),
      "w": Tensor(.f32, shape: [3, 2], scalars: [0.1, 0, 0, 0.1, 0.1, 0.1]),
    ]
    let out = try compiled.run(inputs)
    let reference = try Interpreter.run(g.graph, inputs)
    #expect(out["dw"]?.shape == [3, 2])
    for (a, b) in zip(out["dw"]?.scalars ?? [], reference["dw"]?.scalars ?? [1]) {
      #expect(abs(a - b) <= 1e-5 * max(1, abs(b)))
    }
  }
}

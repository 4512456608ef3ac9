import GraphIR

/// Central finite differences on the reference interpreter: the independent oracle for
/// derivative tests. Every evaluation is in f64 (the graph's own dtype is kept, so use f64
/// graphs for tight tolerances); the step is `h = 1e-6 * max(1, |x|)` per element.
public enum FiniteDifferences {
  /// The value of node `y` (a scalar) at `inputs`.
  public static func value(_ graph: Graph, _ y: NodeID, _ inputs: [String: Tensor]) throws -> Double
  {
    let values = try Interpreter.evaluate(graph, inputs)
    guard let v = values[y.index].scalar else {
      preconditionFailure("finite differences need a scalar, got \(values[y.index].type)")
    }
    return v
  }

  /// The gradient of the scalar node `y` with respect to the input or param `name`:
  /// `(f(x + h e_j) - f(x - h e_j)) / 2h` for every element `j`.
  public static func gradient(
    _ graph: Graph, of y: NodeID, withRespectTo name: String, at inputs: [String: Tensor]
  ) throws -> Tensor {
    guard let x = inputs[name] else { throw InputError.missing([name]) }
    var result = x
    for j in x.scalars.indices {
      let h = 1e-6 * max(1, abs(x.scalars[j]))
      var moved = inputs
      moved[name]?.scalars[j] = x.scalars[j] + h
      let up = try value(graph, y, moved)
      moved[name]?.scalars[j] = x.scalars[j] - h
      let down = try value(graph, y, moved)
      result.scalars[j] = (up - down) / (2 * h)
    }
    return result
  }

  /// The directional derivative of node `y` (any shape) when every named input moves along
  /// its entry of `direction`: `(f(x + h v) - f(x - h v)) / 2h` with `h = 1e-6`.
  public static func directionalDerivative(
    _ graph: Graph, of y: NodeID, at inputs: [String: Tensor], along direction: [String: Tensor]
  ) throws -> Tensor {
    let h = 1e-6
    func moved(_ sign: Double) -> [String: Tensor] {
      var result = inputs
      for (name, v) in direction {
        guard var x = result[name] else { continue }
        for j in x.scalars.indices { x.scalars[j] += sign * h * v.scalars[j] }
        result[name] = x
      }
      return result
    }
    let up = try Interpreter.evaluate(graph, moved(1))[y.index]
    let down = try Interpreter.evaluate(graph, moved(-1))[y.index]
    return Tensor(
      up.dtype, shape: up.shape, scalars: zip(up.scalars, down.scalars).map { ($0 - $1) / (2 * h) })
  }
}

/// Checks the gradient node `gradient` (= grad(y, name)) against finite differences at
/// `inputs`; returns the worst error `|g - fd| / max(1, |g|, |fd|)` over the elements.
public func checkGradient(
  _ graph: Graph, of y: NodeID, withRespectTo name: String, gradient: NodeID,
  at inputs: [String: Tensor]
) throws -> Double {
  let computed = try Interpreter.evaluate(graph, inputs)[gradient.index]
  let estimated = try FiniteDifferences.gradient(graph, of: y, withRespectTo: name, at: inputs)
  return worstError(computed, estimated)
}

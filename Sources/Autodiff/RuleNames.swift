import GraphIR

/// The calculus rule each op's VJP applies, recorded on the backward nodes it builds so the
/// generated C and the IR show where every derivative term comes from. One exhaustive
/// switch in `Op` order.
func ruleName(_ op: Op) -> String {
  switch op {
  case .input, .param, .constant: "constant rule"
  case .neg: "constant multiple rule"
  case .exp: "chain rule through exp"
  case .log: "chain rule through log"
  case .sin: "chain rule through sin"
  case .cos: "chain rule through cos"
  case .tan: "chain rule through tan"
  case .tanh: "chain rule through tanh"
  case .sqrt: "chain rule through sqrt"
  case .abs: "chain rule through abs (sign, 0 at 0)"
  case .add, .sub: "sum rule"
  case .mul: "product rule"
  case .div: "quotient rule"
  case .pow: "power rule"
  case .maximum: "max rule (ties split 1/2)"
  case .minimum: "min rule (ties split 1/2)"
  case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual: "comparison (zero derivative)"
  case .select: "piecewise rule (where)"
  case .cast: "cast back"
  case .broadcast: "broadcast: sum over repeated axes"
  case .reshape: "reshape back"
  case .transpose: "transpose back"
  case .slice: "slice: pad with zeros"
  case .pad: "pad: slice out"
  case .concat: "concat: split"
  case .sum: "sum: broadcast back"
  case .reduceMax: "max: to the maximum (ties split)"
  case .matmul: "matrix product rule"
  }
}

/// Several uses of one value add their cotangents.
let accumulationRule = "multivariable chain rule (sum over uses)"

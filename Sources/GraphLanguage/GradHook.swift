import Autodiff
import GraphIR

/// The derivative of the scalar `y` with respect to `x`, built into `b`, shaped like `x`.
///
/// The one place the language calls automatic differentiation. The parser has already
/// checked that `y` is a scalar and that `x` names an input, a param or a defined value.
func differentiate(_ y: NodeID, _ x: NodeID, _ b: GraphBuilder) throws -> NodeID {
  try gradient(of: y, withRespectTo: [x], in: b)[0]
}

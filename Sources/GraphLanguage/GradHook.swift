import Autodiff
import GraphIR

/// The derivative of the scalar `y` with respect to `x`, built into `b`, shaped like `x`.
///
/// The one place the language calls automatic differentiation. The parser has already
/// checked that `y` is a scalar and that `x` names an input, a param or a defined value.
/// A named number used in several dtypes has one node per dtype (`xs`): its gradient is the
/// sum of theirs, in the dtype of `y`.
func differentiate(_ y: NodeID, _ xs: [NodeID], _ b: GraphBuilder) throws -> NodeID {
  let parts = try gradient(of: y, withRespectTo: xs, in: b)
  let dtype = b.type(y).dtype
  var total: NodeID? = nil
  for part in parts {
    let converted = try b.cast(part, to: dtype)
    total = try total.map { try b.add($0, converted) } ?? converted
  }
  guard let total else { preconditionFailure("grad with respect to no node") }
  return total
}

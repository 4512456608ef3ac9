import Autodiff
import GraphIR

/// The language's derivative functions.
enum Derivative: String {
  /// `grad(y, x)`: shaped like `x`, scalar `y`.
  case grad
  /// `jacobian(y, x)`: shape `y.shape + x.shape`.
  case jacobian
  /// `hessian(y, x)`: `jacobian(grad(y, x), x)`, scalar `y`.
  case hessian
}

/// `grad`, `jacobian` or `hessian` of `y` with respect to `x`, built into `b`.
///
/// The one place the language calls automatic differentiation. The parser has already
/// checked that `y` is a scalar where it must be and that `x` names an input, a param or a
/// defined value. A named number used in several dtypes has one node per dtype (`xs`): its
/// derivative is the sum of theirs, in the dtype of `y`.
func derivative(_ kind: Derivative, _ y: NodeID, _ xs: [NodeID], _ b: GraphBuilder) throws
  -> NodeID
{
  let dtype = b.type(y).dtype
  // One backward sweep gives the gradients for every node of `xs` at once.
  let parts =
    switch kind {
    case .grad: try gradient(of: y, withRespectTo: xs, in: b)
    case .jacobian: try xs.map { try jacobian(of: y, withRespectTo: $0, in: b) }
    case .hessian: try xs.map { try hessian(of: y, withRespectTo: $0, in: b) }
    }
  var total: NodeID? = nil
  for part in parts {
    let converted = try b.cast(part, to: dtype)
    total = try total.map { try b.add($0, converted) } ?? converted
  }
  guard let total else { preconditionFailure("a derivative with respect to no node") }
  return total
}

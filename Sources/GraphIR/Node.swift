/// Identifies a node by its position in `Graph.nodes`. A node's inputs always have smaller IDs.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let index: Int

  public init(_ index: Int) { self.index = index }

  public static func < (a: NodeID, b: NodeID) -> Bool { a.index < b.index }

  /// `%12`
  public var description: String { "%\(index)" }
}

/// One operation with its operands and its result type.
public struct Node: Hashable, Sendable {
  public let op: Op
  public let inputs: [NodeID]
  public let type: TensorType

  public init(_ op: Op, _ inputs: [NodeID], _ type: TensorType) {
    self.op = op
    self.inputs = inputs
    self.type = type
  }
}

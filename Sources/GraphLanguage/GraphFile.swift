import GraphIR

/// A parsed `.graph` file: its graph and what tools need to talk about it in source terms.
///
/// Node IDs refer to `graph` as built, before any simplification.
public struct GraphFile: Sendable {
  /// The file name used in messages.
  public var fileName: String
  /// Inputs, params, definitions and outputs, as the file states them.
  public var graph: Graph
  /// Every input and param, in the order the file declares them.
  public var declarations: [Declaration]
  /// Every `grad(y, x)` in the file, in source order.
  public var gradients: [GradientSite]

  /// The declaration of the input or param `name`.
  public func declaration(named name: String) -> Declaration? {
    declarations.first { $0.name == name }
  }
}

/// An `input` or `param` line.
public struct Declaration: Sendable, Equatable {
  /// Whether the value is supplied by the caller or trained.
  public enum Kind: String, Sendable { case input, param }

  public var name: String
  public var kind: Kind
  public var type: TensorType
  /// Where the name is written.
  public var position: SourcePosition

  public init(name: String, kind: Kind, type: TensorType, position: SourcePosition) {
    self.name = name
    self.kind = kind
    self.type = type
    self.position = position
  }
}

/// One `grad(y, x)` call: what was differentiated, with respect to what, and the result.
public struct GradientSite: Sendable, Equatable {
  /// The scalar being differentiated.
  public var y: NodeID
  /// The value it is differentiated with respect to.
  public var x: NodeID
  /// The name written as the second argument.
  public var name: String
  /// The derivative, shaped like `x`.
  public var result: NodeID
  /// Where `grad` is written.
  public var position: SourcePosition

  public init(y: NodeID, x: NodeID, name: String, result: NodeID, position: SourcePosition) {
    self.y = y
    self.x = x
    self.name = name
    self.result = result
    self.position = position
  }
}

/// The entry point of the language: turns `.graph` source into a graph.
public enum GraphParser {
  /// Parses `text` and returns its graph. Throws `SourceError` for any mistake in the file.
  public static func parse(_ text: String, fileName: String = "<input>") throws -> Graph {
    try parseFile(bytes: Array(text.utf8), fileName: fileName).graph
  }

  /// Parses `text` into a `GraphFile`. Throws `SourceError`.
  public static func parseFile(_ text: String, fileName: String = "<input>") throws -> GraphFile {
    try parseFile(bytes: Array(text.utf8), fileName: fileName)
  }

  /// Parses raw file bytes, which need not be valid UTF-8: a NUL or malformed byte is a
  /// located `SourceError` like any other mistake.
  public static func parseFile(bytes: [UInt8], fileName: String) throws -> GraphFile {
    try withLargeStack {
      var parser = Parser(tokens: Lexer.tokens(bytes), fileName: fileName)
      return try parser.parseFile()
    }
  }
}

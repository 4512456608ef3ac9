/// A data file that cannot be read, with the file and what is wrong with it.
public struct DataError: Error, Equatable, CustomStringConvertible {
  public var file: String
  public var message: String

  public init(_ file: String, _ message: String) {
    self.file = file
    self.message = message
  }

  public var description: String { "\(file): error: \(message)" }
}

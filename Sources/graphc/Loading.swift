import Foundation
import GraphLanguage

/// Reads and parses a `.graph` file named on the command line.
///
/// Messages name the file as the user wrote it, as compilers do.
func loadGraphFile(_ path: String) throws -> GraphFile {
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
    throw CommandError("cannot read '\(path)': no such file")
  }
  guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
    throw CommandError("cannot read '\(path)': not a readable file")
  }
  return try GraphParser.parseFile(bytes: [UInt8](data), fileName: path)
}

import Foundation
import Testing

@testable import CCodegen

@Suite struct PreludeTests {
  /// `kernels/prelude.h` is the prelude as a real file; it must stay byte-identical.
  @Test func preludeFileMatchesTheEmbeddedText() throws {
    let path = packageRoot() + "/kernels/prelude.h"
    let file = try String(contentsOfFile: path, encoding: .utf8)
    #expect(file == Prelude.text)
  }
}

/// The package root, found from this file's path (Tests/CCodegenTests/<file>).
func packageRoot(_ file: String = #filePath) -> String {
  var parts = file.split(separator: "/", omittingEmptySubsequences: false)
  parts.removeLast(3)
  return parts.joined(separator: "/")
}

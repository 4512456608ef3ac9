import Testing

@testable import graphc

/// Template expansion: placeholders, `#step` blocks and `#if` blocks.
@Suite struct GradBenchTemplateTests {
  private let template = GradBenchTemplate(
    text: """
      input x: f64[{{n}}]
      #if double
      y = 2 * x
      #end if
      #if single
      y = x
      #end if
      #step
      z_{{k}} = y + {{k}}
      #end step
      output y
      """, fileName: "t.graph")

  @Test func conditionsKeepOrDropTheirLines() throws {
    let steps = [["k": "1"], ["k": "2"]]
    let text = try template.expand(
      ["n": "3", "double": "true", "single": "false"], steps: steps, outputs: ["z_2"])
    #expect(text == "input x: f64[3]\ny = 2 * x\nz_1 = y + 1\nz_2 = y + 2\noutput z_2\n")
  }

  @Test func conditionErrors() throws {
    let table: [(String, [String: String], String)] = [
      (
        template.text, ["n": "3", "double": "yes", "single": "false"],
        "t.graph: '#if double' needs the value true or false"
      ),
      ("#if a\n#if a\n#end if\n#end if", ["a": "true"], "t.graph: '#if' inside '#if'"),
      ("#end if", [:], "t.graph: '#end if' without '#if'"),
      ("#if a\nx = 1", ["a": "true"], "t.graph: '#if' without '#end if'"),
    ]
    for (text, values, message) in table {
      let template = GradBenchTemplate(text: text, fileName: "t.graph")
      #expect(throws: (any Error).self) { try template.expand(values, outputs: ["y"]) }
      do {
        _ = try template.expand(values, outputs: ["y"])
      } catch {
        #expect("\(error)" == message)
      }
    }
  }
}

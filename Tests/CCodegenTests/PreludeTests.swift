import Foundation
import Testing

@testable import CCodegen

@Suite struct PreludeTests {
  /// `kernels/prelude.h` is the prelude as a real file; it must stay byte-identical.
  /// GC_UPDATE_GOLDEN=1 rewrites it from `Prelude.text`, as for the golden kernels.
  @Test func preludeFileMatchesTheEmbeddedText() throws {
    let path = packageRoot() + "/kernels/prelude.h"
    if ProcessInfo.processInfo.environment["GC_UPDATE_GOLDEN"] == "1" {
      try Prelude.text.write(toFile: path, atomically: true, encoding: .utf8)
    }
    let file = try String(contentsOfFile: path, encoding: .utf8)
    #expect(file == Prelude.text)
  }

  /// The functions a linker must supply, in declaration order.
  @Test func mathFunctionsAreTheDeclaredOnes() {
    #expect(
      Prelude.mathFunctions == [
        "exp", "log", "sin", "cos", "tan", "tanh", "sqrt", "fabs", "pow", "floor", "erf",
        "lgamma", "expf", "logf", "sinf", "cosf", "tanf", "tanhf", "sqrtf", "fabsf", "powf",
        "erff", "lgammaf",
      ])
  }

  /// Each definition names only definitions before it (what `Prelude.text(for:)` relies on
  /// to close the set of needed definitions in one backward pass).
  @Test func definitionsNameOnlyEarlierOnes() {
    let definitions = Prelude.sections.flatMap(\.definitions)
    for (k, definition) in definitions.enumerated() {
      let later = Set(definitions[k...].map(\.name))
      let named = CIdentifiers.names(in: definition.text).subtracting([definition.name])
      #expect(named.isDisjoint(with: later), "\(definition.name) names \(named)")
    }
  }

  /// A standalone export's prelude holds what its body names and what that needs in turn
  /// (`gc_tanhf` calls `expf`; `gc_parallel_for` takes a `gc_kernel`), and nothing else.
  @Test func exportPreludeHoldsOnlyWhatTheBodyUses() {
    let body = """

      static void gc_k0(void* const* gc_b, long long gc_lo, long long gc_hi) {
        /* gc_max(tanh) in a comment does not count */
        float* p0 = (float*)gc_b[0];
        p0[0] = gc_tanhf(p0[0]) + GC_INFF;
      }
      static void gc_entry(gc_parallel_for gc_par) { (void)gc_par; }

      """
    let prelude = Prelude.text(for: body)
    for wanted in [
      "float expf(float);", "static inline float gc_tanhf(", "#define GC_INFF",
      "typedef void (*gc_kernel)", "typedef void (*gc_parallel_for)",
    ] {
      #expect(prelude.contains(wanted), "\(wanted)")
    }
    for unwanted in [
      "gc_max", "gc_min", "gc_run(", "double tanh(", "gc_tanh(", "cblas", "#ifdef GC_FAST_MATH",
      "#define GC_NAN", "#ifndef",
    ] {
      #expect(!prelude.contains(unwanted), "\(unwanted)")
    }
  }
}

/// The package root, found from this file's path (Tests/CCodegenTests/<file>).
func packageRoot(_ file: String = #filePath) -> String {
  var parts = file.split(separator: "/", omittingEmptySubsequences: false)
  parts.removeLast(3)
  return parts.joined(separator: "/")
}

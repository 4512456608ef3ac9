import Foundation
import GraphIR
import Testing

@testable import CCodegen

/// Generated C writes numbers as their shortest round-tripping decimals; every compiler we
/// target must read each one back as exactly the same bits. A C program holds a seeded
/// sample of literals next to their bit patterns and prints the index of any that differ.
@Suite struct LiteralRoundTripTests {
  static let count = 6000

  /// Doubles from random bit patterns (every exponent, subnormals included), plus short
  /// decimals (`k / 10^j`) such as a user writes; floats likewise.
  static func samples() -> (doubles: [Double], floats: [Float]) {
    var rng = SeededGenerator(seed: 20_261_129)
    var doubles: [Double] = []
    var floats: [Float] = []
    while doubles.count < count {
      let bits = Double(bitPattern: rng.next())
      if bits.isFinite { doubles.append(bits) }
      let short =
        Double(Int.random(in: -99_999...99_999, using: &rng))
        / pow(10, Double(Int.random(in: 0...12, using: &rng)))
      doubles.append(short)
    }
    while floats.count < count {
      let bits = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
      if bits.isFinite { floats.append(bits) }
      floats.append(Float(Double(Int.random(in: -9999...9999, using: &rng)) / 1000))
    }
    return (doubles, floats)
  }

  /// The test program: literal tables, bit tables, and a loop that prints mismatches.
  static func program() -> String {
    let (doubles, floats) = samples()
    let d = doubles.map { CLiteral.number($0, .f64) }.joined(separator: ",\n")
    let db = doubles.map { "0x\(String($0.bitPattern, radix: 16))ULL" }.joined(separator: ",\n")
    let f = floats.map { CLiteral.number(Double($0), .f32) }.joined(separator: ",\n")
    let fb = floats.map { "0x\(String($0.bitPattern, radix: 16))UL" }.joined(separator: ",\n")
    return """
      #include <stdio.h>
      #include <string.h>
      static const double d[] = {\(d)};
      static const unsigned long long db[] = {\(db)};
      static const float f[] = {\(f)};
      static const unsigned long fb[] = {\(fb)};
      int main(void) {
        int bad = 0;
        for (unsigned i = 0; i < sizeof d / sizeof d[0]; i++) {
          unsigned long long b;
          memcpy(&b, &d[i], sizeof b);
          if (b != db[i]) { printf("double %u\\n", i); bad++; }
        }
        for (unsigned i = 0; i < sizeof f / sizeof f[0]; i++) {
          unsigned int b;
          memcpy(&b, &f[i], sizeof b);
          if (b != (unsigned int)fb[i]) { printf("float %u\\n", i); bad++; }
        }
        printf("%d mismatches in %u literals\\n", bad,
          (unsigned)(sizeof d / sizeof d[0] + sizeof f / sizeof f[0]));
        return 0;
      }

      """
  }

  @Test func everyCompilerReadsTheExactBits() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("graphc-literals-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try Self.program().write(
      to: directory.appendingPathComponent("literals.c"), atomically: true, encoding: .utf8)
    let (doubles, floats) = Self.samples()
    let total = "0 mismatches in \(doubles.count + floats.count) literals\n"
    var ran = 0
    if onPath("tcc") != nil {
      #expect(shell(["tcc", "-run", "literals.c"], in: directory) == total, "tcc")
      ran += 1
    }
    for compiler in ["gcc", "clang"] where onPath(compiler) != nil {
      _ = shell(
        [compiler, "-std=c99", "-O0", "-o", "literals_\(compiler)", "literals.c"], in: directory)
      #expect(shell(["./literals_\(compiler)"], in: directory) == total, "\(compiler)")
      ran += 1
    }
    #expect(ran >= 2, "needs tcc and gcc")
  }
}

import Foundation
import Testing

@testable import graphc

/// `emit-c`: the C compiles with real C compilers, standalone exports build and run.
@Suite struct EmitCTests {
  static let rosenbrock = examplesDirectory.appendingPathComponent("rosenbrock.graph").path
  static let seeds = examplesDirectory.appendingPathComponent("seeds.graph").path
  let directory: URL

  init() throws { directory = try scratchDirectory([:]) }

  @Test func annotatedByDefaultAndCompilesWithCC() throws {
    let result = try graphc(["emit-c", Self.seeds], in: directory)
    #expect(result.status == 0 && result.stderr == "")
    #expect(result.stdout.contains("product rule") && result.stdout.contains("# df"))
    try Data(result.stdout.utf8).write(to: directory.appendingPathComponent("seeds.c"))
    let cc = try #require(executable(["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"]))
    let compile = try runTool(cc, ["-std=c99", "-c", "seeds.c", "-o", "seeds.o"], in: directory)
    #expect(compile.status == 0, "\(compile.stderr)")
  }

  @Test func noCommentsDropsTheAnnotations() throws {
    let plain = try graphc(["emit-c", Self.seeds, "--no-comments"], in: directory)
    #expect(plain.status == 0)
    #expect(!plain.stdout.contains("product rule") && !plain.stdout.contains("# df"))
    #expect(plain.stdout.contains("int gc_entry("))
  }

  @Test func standaloneBuildsPedanticallyAndRuns() throws {
    let gcc = try #require(executable(["/usr/bin/gcc", "/usr/bin/cc"]))
    let result = try graphc(
      ["emit-c", Self.rosenbrock, "--standalone", "-o", "model"], in: directory)
    #expect(result.status == 0 && result.stdout == "" && result.stderr == "")
    let code = try String(contentsOf: directory.appendingPathComponent("model.c"), encoding: .utf8)
    #expect(code.contains("#include \"model.h\"\n"))
    let driver = """
      #include <stdio.h>
      #include <stdlib.h>
      #include "model.h"
      int main(void) {
        double x = -1.2, y = 1, f, dfdx, dfdy, f1;
        void* arena = malloc(GC_ROSENBROCK_ARENA_BYTES + 1);
        gc_rosenbrock_run(&x, &y, &f, &dfdx, &dfdy, &f1, arena);
        printf("%.4f %.4f %.4f\\n", f, dfdx, dfdy);
        free(arena);
        return 0;
      }

      """
    try Data(driver.utf8).write(to: directory.appendingPathComponent("driver.c"))
    let flags = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]
    let build = try runTool(
      gcc, flags + ["model.c", "driver.c", "-o", "driver", "-lm"], in: directory)
    #expect(build.status == 0, "\(build.stderr)")
    let run = try runTool(directory.appendingPathComponent("driver").path, [], in: directory)
    #expect(run.stdout == "24.2000 -215.6000 -88.0000\n")
  }

  @Test func standaloneOutputPathEndingInC() throws {
    let result = try graphc(
      ["emit-c", Self.rosenbrock, "--standalone", "-o", "exported.c", "--name", "rb"],
      in: directory)
    #expect(result.status == 0)
    let header = try String(
      contentsOf: directory.appendingPathComponent("exported.h"), encoding: .utf8)
    #expect(header.contains("int gc_rb_run("))
  }

  @Test func standaloneToStandardOutput() throws {
    let result = try graphc(["emit-c", Self.rosenbrock, "--standalone"], in: directory)
    #expect(result.status == 0)
    #expect(result.stdout.hasPrefix("/* ==== rosenbrock.h ==== */\n"))
    #expect(result.stdout.contains("\n/* ==== rosenbrock.c ==== */\n"))
  }

  @Test(arguments: [
    (
      ["emit-c", rosenbrock, "--standalone", "--name", "2x"],
      "graphc: error: '2x' is not a valid name"
    ),
    (
      ["emit-c", rosenbrock, "-o", "no/such/dir/x.c"],
      "graphc: error: cannot write 'no/such/dir/x.c'"
    ),
  ])
  func badOutputs(arguments: [String], prefix: String) throws {
    let result = try graphc(arguments, in: directory)
    #expect(result.status != 0 && result.stderr.hasPrefix(prefix))
    #expect(result.stderr.split(separator: "\n").count == 1)
  }

  @Test(arguments: [
    ("rosenbrock.graph", "rosenbrock"), ("dir/my-model.graph", "my_model"), ("2d.graph", "_2d"),
    (".graph", "_graph"), ("naïve.graph", "na_ve"),
  ])
  func exportNames(path: String, name: String) {
    #expect(cIdentifier(fromFileName: path) == name)
  }
}

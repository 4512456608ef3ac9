import Foundation
import Testing

/// End-to-end runs of the `graphc` binary: exit status, standard output, standard error.
@Suite struct CLITests {
  static let files = [
    "seed.graph": "# the seed example\ninput x\nf = 3*x^2 + 2*x + 1\noutput f\n",
    "two.graph": "input x\ninput y\nparam w: f64[2] = 2.5\ns = x + y + sum(w)\noutput s, w\n",
    "tensor.graph": "input w: f64[2, 2]\nt = transpose(w) * 0.5\ns = sum(w)\noutput t, s\n",
    "single.graph": "input x: f32\ny = x * 1\noutput y\n",
    "random.graph": "param w: f64[3] = normal(1)\noutput w\n",
    "special.graph": "input x\nf = x * 1\nlogged = log(x)\noutput f, logged\n",
    "bad.graph": "input x\nf = x + $\noutput f\n",
    "shapes.graph": "input a: f32[128, 784]\ninput b: f32[512, 10]\nh = a @ b\noutput h\n",
    "bad.npy": "not numpy",
    "loop.graph":
      "input x\ndef step(a)\n  return a + sin(a)\nend\ny = repeat(step, 5, x)\noutput y\n",
  ]

  let directory: URL

  init() throws { directory = try scratchDirectory(Self.files) }

  @Test func runJSONSeedExample() throws {
    let result = try graphc(["run", "seed.graph", "--set", "x=2", "--json"], in: directory)
    #expect(result.status == 0)
    #expect(result.stdout == "{\"outputs\": {\"f\": 17.0}}\n")
    #expect(result.stderr == "")
  }

  @Test func runForPeople() throws {
    let result = try graphc(["run", "seed.graph", "--set", "x=2"], in: directory)
    #expect(result.status == 0 && result.stdout == "f = 17\n")
  }

  @Test func tensorsParamsAndOrder() throws {
    let result = try graphc(
      ["run", "two.graph", "--set", "y=1", "--set", "x=0.5", "--json"], in: directory)
    #expect(result.stdout == "{\"outputs\": {\"s\": 6.5, \"w\": [2.5, 2.5]}}\n")
    let tensor = try graphc(
      ["run", "tensor.graph", "--set", "w=[[1,2],[3,4]]", "--json"], in: directory)
    #expect(tensor.stdout == "{\"outputs\": {\"t\": [[0.5, 1.5], [1.0, 2.0]], \"s\": 10.0}}\n")
    let people = try graphc(["run", "tensor.graph", "--set", "w=[[1,2],[3,4]]"], in: directory)
    #expect(people.stdout == "t = [[0.5, 1.5], [1, 2]]\ns = 10\n")
  }

  @Test func aNumberFillsATensorInput() throws {
    let result = try graphc(
      ["run", "tensor.graph", "--set", "w=1.5", "--json"], in: directory)
    #expect(result.stdout == "{\"outputs\": {\"t\": [[0.75, 0.75], [0.75, 0.75]], \"s\": 6.0}}\n")
  }

  @Test func float32PrintsItsShortestForm() throws {
    let result = try graphc(["run", "single.graph", "--set", "x=0.1", "--json"], in: directory)
    #expect(result.stdout == "{\"outputs\": {\"y\": 0.1}}\n")
  }

  @Test func nonFiniteValuesAreStrings() throws {
    let nan = try graphc(["run", "special.graph", "--set", "x=nan", "--json"], in: directory)
    #expect(nan.stdout == "{\"outputs\": {\"f\": \"nan\", \"logged\": \"nan\"}}\n")
    let inf = try graphc(["run", "special.graph", "--set", "x=inf", "--json"], in: directory)
    #expect(inf.stdout == "{\"outputs\": {\"f\": \"inf\", \"logged\": \"inf\"}}\n")
    let zero = try graphc(["run", "special.graph", "--set", "x=0", "--json"], in: directory)
    #expect(zero.stdout == "{\"outputs\": {\"f\": 0.0, \"logged\": \"-inf\"}}\n")
    let negative = try graphc(["run", "special.graph", "--set", "x=-inf", "--json"], in: directory)
    #expect(negative.stdout == "{\"outputs\": {\"f\": \"-inf\", \"logged\": \"nan\"}}\n")
  }

  @Test func randomParamsFollowTheSeed() throws {
    let a = try graphc(["run", "random.graph", "--json"], in: directory)
    let b = try graphc(["run", "random.graph", "--json", "--seed", "0"], in: directory)
    let c = try graphc(["run", "random.graph", "--json", "--seed", "7"], in: directory)
    #expect(a.status == 0 && a.stdout == b.stdout && a.stdout != c.stdout)
  }

  @Test func valuesFromFiles() throws {
    // A v1 .npy of f32 [[1, 2], [3, 4]] written by hand: magic, version, header, data.
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }"
    header += String(repeating: " ", count: 63 - (10 + header.count) % 64) + "\n"
    var bytes: [UInt8] =
      [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
    for v: Float in [1, 2, 3, 4] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
    try Data(bytes).write(to: directory.appendingPathComponent("w.npy"))
    try Data("[[1, 2], [3, 4]]".utf8).write(to: directory.appendingPathComponent("w.json"))
    for path in ["@w.npy", "@w.json"] {
      let result = try graphc(
        ["run", "tensor.graph", "--set", "w=\(path)", "--json"], in: directory)
      #expect(
        result.stdout == "{\"outputs\": {\"t\": [[0.5, 1.5], [1.0, 2.0]], \"s\": 10.0}}\n",
        "\(path)")
    }
  }

  @Test func missingInputsAreListedTogether() throws {
    let result = try graphc(["run", "two.graph"], in: directory)
    #expect(result.status != 0 && result.stdout == "")
    #expect(
      result.stderr
        == "two.graph:1:7: error: missing value for inputs 'x', 'y' (give each with --set NAME=VALUE)\n"
    )
  }

  @Test(arguments: [
    (
      ["run", "seed.graph", "--set", "z=1"],
      "graphc: error: --set z: seed.graph has no input or param named 'z' (it has: x)\n"
    ),
    (["run", "seed.graph", "--set", "x"], "graphc: error: --set expects NAME=VALUE, got 'x'\n"),
    (
      ["run", "seed.graph", "--set", "x=1", "--set", "x=2"],
      "graphc: error: --set x is given more than once\n"
    ),
    (
      ["run", "seed.graph", "--set", "x=[1,2]"],
      "seed.graph:2:7: error: --set x: 'x' is f64, got a value of shape [2]\n"
    ),
    (
      ["run", "tensor.graph", "--set", "w=[[1,2],[3]]"],
      "graphc: error: --set w: ragged array: rows of different shapes\n"
    ),
    (
      ["run", "seed.graph", "--set", "x=two"],
      "graphc: error: --set x: expected a number at character 1\n"
    ),
    (
      ["run", "seed.graph", "--set", "x=@nope.npy"],
      "graphc: error: --set x: cannot read 'nope.npy'\n"
    ),
    (["run", "nope.graph"], "graphc: error: cannot read 'nope.graph': no such file\n"),
    (["run", "bad.graph"], "bad.graph:2:9: error: unexpected character '$'\n"),
    (
      ["ir", "shapes.graph"],
      "shapes.graph:3:7: error: shape mismatch in '@': f32[128,784] @ f32[512,10]\n"
    ),
    (
      ["run", "seed.graph", "--threads", "0"], "graphc: error: --threads must be 1 or more, got 0\n"
    ),
    (["run", "seed.graph", "--bogus"], "graphc: error: Unknown option '--bogus'\n"),
    (["show", "nope.graph"], "graphc: error: cannot read 'nope.graph': no such file\n"),
    (["check", "nope.graph"], "graphc: error: cannot read 'nope.graph': no such file\n"),
    (["bench", "nope.graph"], "graphc: error: cannot read 'nope.graph': no such file\n"),
    (["emit-c", "nope.graph"], "graphc: error: cannot read 'nope.graph': no such file\n"),
    (["train", "nope.graph"], "graphc: error: cannot read 'nope.graph': no such file\n"),
    (["check", "bad.graph"], "bad.graph:2:9: error: unexpected character '$'\n"),
    (
      ["run", "seed.graph", "--set", "x=@bad.npy"],
      "graphc: error: --set x: 'bad.npy': not a .npy file (missing the \\x93NUMPY magic)\n"
    ),
    (
      ["run", "seed.graph", "--backend", "gcc"],
      "graphc: error: The value 'gcc' is invalid for '--backend <backend>'. "
        + "Please provide one of 'tcc', 'cc' or 'tiered'.\n"
    ),
  ])
  func errorsAreOneLineWithNonZeroStatus(arguments: [String], expected: String) throws {
    let result = try graphc(arguments, in: directory)
    #expect(result.status != 0)
    #expect(result.stderr == expected)
    #expect(result.stdout == "")
  }

  @Test func fileAloneMeansEmitC() throws {
    let direct = try graphc(["seed.graph"], in: directory)
    let named = try graphc(["emit-c", "seed.graph"], in: directory)
    #expect(direct.status == 0 && direct.stdout.contains("int gc_entry("))
    #expect(
      direct.status == named.status && direct.stdout == named.stdout
        && direct.stderr == named.stderr)
  }

  /// The IR, then the plan (each kernel's kind, nodes and buffers; each buffer's place), then
  /// the summary line.
  @Test func irEndsWithThePlan() throws {
    let result = try graphc(["ir", "seed.graph"], in: directory)
    #expect(result.status == 0)
    #expect(result.stdout.hasPrefix("%0 = input \"x\" : f64\n"))
    #expect(
      result.stdout.hasSuffix(
        """
        output f = %8
        # k0 flat over []: %8 -> p8; reads p0
        # p0 f64 input 0
        # p8 f64 output 0
        # 1 kernel, 0 bytes of intermediate buffers

        """))
    let mlp = try graphc(
      ["ir", examplesDirectory.appendingPathComponent("mlp.graph").path], in: directory)
    let last = mlp.stdout.split(separator: "\n").last ?? ""
    #expect(last.wholeMatch(of: /# [0-9]+ kernels, [0-9]+ bytes of intermediate buffers/) != nil)
    for kind in ["matmul", "flat", "loop-nest", "column-sums", "axpy"] {
      let lines = mlp.stdout.split(separator: "\n")
      #expect(lines.contains { $0.hasPrefix("# k") && $0.contains(" \(kind) ") }, "\(kind)")
    }
  }

  /// `graphc ir` and `graphc dot` show a loop's body as a nested block; `run` runs it.
  @Test func loopBodiesAreNestedBlocks() throws {
    let ir = try graphc(["ir", "loop.graph"], in: directory)
    #expect(ir.status == 0)
    #expect(ir.stdout.contains("= loop(count: 5, carries: 1, slices: 0) %0 : f64[0] {\n"))
    #expect(ir.stdout.contains("\n  %0 = input \"p0\" : f64\n"))
    #expect(ir.stdout.contains("\n  output r0 = "))
    let dot = try graphc(["dot", "loop.graph"], in: directory)
    #expect(dot.stdout.contains("subgraph cluster_n1 {"))
    var x = 0.5
    for _ in 0..<5 { x += sin(x) }
    let run = try graphc(["run", "loop.graph", "--set", "x=0.5", "--json"], in: directory)
    #expect(run.stdout == "{\"outputs\": {\"y\": \(x)}}\n")
  }

  @Test(arguments: ["seed.graph", "loop.graph"])
  func dotIsValidGraphviz(file: String) throws {
    let result = try graphc(["dot", file], in: directory)
    #expect(result.status == 0 && result.stdout.hasPrefix("digraph graphc {"))
    let dot = ["/usr/bin/dot", "/usr/local/bin/dot"].first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
    guard let dot else { return }
    try Data(result.stdout.utf8).write(to: directory.appendingPathComponent("g.dot"))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: dot)
    process.arguments = [
      "-Tsvg", "-o", directory.appendingPathComponent("g.svg").path,
      directory.appendingPathComponent("g.dot").path,
    ]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
  }
}

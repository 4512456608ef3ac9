import Foundation
import GraphData
import Testing

/// `train --distributed` under `mpirun`: a small MLP trained on 2 and 3 ranks (3 on a 2-core
/// machine oversubscribes) against one process on the same global batches, and the ways a
/// run stops: a killed rank, a hung rank, a rank with another graph. Skipped without Open
/// MPI's `mpirun`.
@Suite(.enabled(if: mpirunPath != nil, "needs Open MPI's mpirun"))
struct DistributedTrainTests {
  /// 96 examples: 6 features, a one-hot label of 3 classes, from a fixed formula.
  static let data: String = {
    var lines = ["a,b,c,d,e,f,y0,y1,y2"]
    for i in 0..<96 {
      let x = (0..<6).map { j in sin(Double(i * 7 + j * 3) * 0.37) }
      let label = (i * 5 + i / 7) % 3
      let y = (0..<3).map { $0 == label ? "1" : "0" }
      lines.append((x.map { String(format: "%.6f", $0) } + y).joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }()

  static func mlp(batch: Int = 24) -> String {
    """
    input x: f32[\(batch), 6]
    input y: f32[\(batch), 3]
    param w1: f32[6, 16] = normal(0.5)
    param b1: f32[16] = 0.1
    param w2: f32[16, 3] = normal(0.5)
    param b2: f32[3] = zeros
    h = tanh(x @ w1 + b1)
    loss = cross_entropy(h @ w2 + b2, y)
    output loss

    """
  }

  static let files = [
    "mlp.graph": mlp(), "wide.graph": mlp(batch: 48), "data.csv": data,
    // The batch written into a reshape: no rank's share of it compiles.
    "fixed.graph": "input x: f64[4]\ninput y: f64[4]\nparam a = 0\n"
      + "loss = mean((a * reshape(x, [4, 1])[:, 0] - y)^2)\noutput loss\n",
  ]
  static let params = ["w1", "b1", "w2", "b2"]
  let directory: URL

  init() throws { directory = try scratchDirectory(Self.files) }

  /// `graphc train` arguments for the MLP (3 epochs of 4 steps).
  static func trainArguments(save: String, _ extra: [String] = [], file: String = "mlp.graph")
    -> [String]
  {
    [
      "train", file, "--data", "x=data.csv#0,1,2,3,4,5", "--data", "y=data.csv#6,7,8",
      "--epochs", "3", "--lr", "0.2", "--optimizer", "momentum", "--seed", "7", "--threads",
      "1", "--save", save, "--json",
    ] + extra
  }

  /// The last line's JSON object.
  func summary(_ result: CommandResult) throws -> [String: Any] {
    let last = try #require(result.stdout.split(separator: "\n").last, "\(result)")
    return try #require(
      try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "\(result)")
  }

  func saved(_ folder: String) throws -> [String: [Double]] {
    var result: [String: [Double]] = [:]
    for name in Self.params {
      result[name] = try NPY.read(directory.appendingPathComponent("\(folder)/\(name).npy").path)
        .scalars
    }
    return result
  }

  /// Every rank reports the same parameter checksum, and the saved parameters are within
  /// `tolerance` of one process's (relative to each tensor's largest magnitude).
  func expectMatchesOneProcess(ranks: Int, reduction: String, tolerance: Double) throws {
    let one = try graphc(Self.trainArguments(save: "one"), in: directory, timeout: 120)
    #expect(one.status == 0, "\(one)")
    let run = try mpirun(
      ranks, Self.trainArguments(save: "many", ["--distributed", "--reduction", reduction]),
      in: directory)
    #expect(run.status == 0, "\(run)")
    let info = try summary(run)
    #expect(info["ranks"] as? Int == ranks)
    let checksums = try #require(info["param_checksums"] as? [String])
    #expect(checksums.count == ranks && Set(checksums).count == 1, "\(checksums)")
    let (a, b) = (try saved("one"), try saved("many"))
    for name in Self.params {
      let (x, y) = (try #require(a[name]), try #require(b[name]))
      let scale = x.map(abs).max() ?? 0
      let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
      #expect(worst <= tolerance * scale, "\(name): \(worst) vs \(scale)")
    }
    let lossOne = try #require(try summary(one)["final_loss"] as? Double)
    let lossMany = try #require(info["final_loss"] as? Double)
    #expect(abs(lossOne - lossMany) <= 1e-5 * abs(lossOne), "\(lossOne) vs \(lossMany)")
  }

  @Test func twoRanksDeterministicMatchOneProcess() throws {
    try expectMatchesOneProcess(ranks: 2, reduction: "deterministic", tolerance: 1e-6)
  }

  @Test func threeOversubscribedRanksMatchOneProcess() throws {
    try expectMatchesOneProcess(ranks: 3, reduction: "deterministic", tolerance: 1e-6)
  }

  @Test func fastModeIsWithinTolerance() throws {
    try expectMatchesOneProcess(ranks: 2, reduction: "fast", tolerance: 1e-5)
  }

  /// Two deterministic runs save the same bits, and only rank 0 writes.
  @Test func deterministicRepeatsSaveTheSameBits() throws {
    for folder in ["first", "second"] {
      let run = try mpirun(2, Self.trainArguments(save: folder, ["--distributed"]), in: directory)
      #expect(run.status == 0, "\(run)")
    }
    for name in Self.params {
      let path = { (folder: String) in directory.appendingPathComponent("\(folder)/\(name).npy") }
      #expect(try Data(contentsOf: path("first")) == Data(contentsOf: path("second")), "\(name)")
    }
  }

  /// A rank killed mid-run: the others stop with an error naming it, not a hang.
  @Test func killedRankStopsTheOthers() throws {
    let arguments = Self.trainArguments(save: "never", ["--distributed", "--epochs", "100000"])
    let run = try mpirun(2, arguments, in: directory) { mpirun in
      try killRank(1, of: mpirun, signal: SIGKILL)
    }
    #expect(run.status != 0)
    #expect(run.stderr.contains("rank 1"), "\(run.stderr)")
  }

  /// A rank that hangs (stopped): the others wait `--rank-timeout` seconds, then stop with
  /// an error naming it.
  @Test func hungRankTimesOut() throws {
    let arguments = Self.trainArguments(
      save: "never", ["--distributed", "--epochs", "100000", "--rank-timeout", "3"])
    let run = try mpirun(2, arguments, in: directory) { mpirun in
      try killRank(1, of: mpirun, signal: SIGSTOP)
    }
    #expect(run.status != 0)
    // On a loaded machine rank 1 may stop before its first step: then the exchange that
    // waits for it is the start-up one.
    let named = ["gradient", "parameter"].contains {
      run.stderr.contains("rank 1 did not finish the \($0) exchange within 3 s: it died or hangs")
    }
    #expect(named, "\(run.stderr)")
  }

  /// A batch that does not split over the ranks, and a file whose batch cannot shrink.
  @Test func mistakesAreOneLine() throws {
    let data = ["--data", "x=data.csv#0", "--data", "y=data.csv#1", "--distributed"]
    let uneven = try mpirun(3, ["train", "fixed.graph"] + data, in: directory)
    #expect(uneven.status != 0)
    #expect(
      uneven.stderr.hasPrefix(
        "graphc: error: the global batch of 4 does not split evenly over 3 ranks "
          + "(choose a batch that is a multiple of 3)\n"), "\(uneven.stderr)")
    let fixed = try mpirun(2, ["train", "fixed.graph"] + data, in: directory)
    #expect(fixed.status != 0)
    #expect(
      fixed.stderr.hasPrefix(
        "graphc: error: with --distributed each rank declares its data inputs with its share "
          + "of the batch (2 rows), but fixed.graph does not compile so: fixed.graph:4:18: "
          + "error: invalid operand to 'reshape'"), "\(fixed.stderr)")
  }

  /// Ranks that compiled different steps (another batch) stop before training.
  @Test func mismatchedGraphIsNamed() throws {
    let run = try mpirun(
      [
        (1, Self.trainArguments(save: "never", ["--distributed"])),
        (1, Self.trainArguments(save: "never", ["--distributed"], file: "wide.graph")),
      ],
      in: directory)
    #expect(run.status != 0)
    #expect(run.stderr.contains("rank 1's training step differs from rank 0's"), "\(run.stderr)")
  }
}

/// `--distributed` where MPI cannot be loaded, which needs no `mpirun`.
@Suite struct MissingMPITests {
  /// Without libmpi, --distributed is a one-line error (this runs without mpirun).
  @Test func missingMPIIsNamed() throws {
    let result = try graphc(
      DistributedTrainTests.trainArguments(save: "never", ["--distributed"]),
      in: scratchDirectory(DistributedTrainTests.files),
      environment: ["GRAPHC_LIBMPI": "/nonexistent/libmpi.so"])
    #expect(result.status == 1)
    #expect(
      result.stderr
        == "graphc: error: MPI is not available: cannot load libmpi (tried "
        + "/nonexistent/libmpi.so) (install Open MPI: apt-get install openmpi-bin "
        + "libopenmpi-dev, and start with mpirun)\n")
  }
}

/// Open MPI's `mpirun`, if installed.
let mpirunPath = executable(["/usr/bin/mpirun", "/usr/local/bin/mpirun"])

/// Runs `graphc` on `ranks` ranks.
func mpirun(
  _ ranks: Int, _ arguments: [String], in directory: URL,
  during: ((Process) throws -> Void)? = nil
) throws -> CommandResult {
  try mpirun([(ranks, arguments)], in: directory, during: during)
}

/// Runs `graphc` under `mpirun`, one group of ranks per element (`-np N graphc ARGS : ...`),
/// as root if need be and with more ranks than cores allowed; `during` runs once the job
/// started. A job still going after 120 s is killed (a safety net, not a speed check).
func mpirun(
  _ groups: [(ranks: Int, arguments: [String])], in directory: URL,
  during: ((Process) throws -> Void)? = nil
) throws -> CommandResult {
  let binary = try #require(graphcURL, "graphc binary not found next to the tests")
  let mpirun = try #require(mpirunPath)
  var arguments = ["--oversubscribe"]
  for (k, group) in groups.enumerated() {
    if k > 0 { arguments.append(":") }
    arguments += ["-np", String(group.ranks), binary.path] + group.arguments
  }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: mpirun)
  process.arguments = arguments
  process.currentDirectoryURL = directory
  var environment = ProcessInfo.processInfo.environment
  environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
  environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
  process.environment = environment
  let (out, err) = (Pipe(), Pipe())
  process.standardOutput = out
  process.standardError = err
  try process.run()
  DispatchQueue.global().asyncAfter(deadline: .now() + 120) { [process] in
    if process.isRunning { process.terminate() }
  }
  try during?(process)
  return collect(process, out: out, err: err)
}

/// Sends `signal` to rank `rank` of the job `mpirun` started, once the job has trained a
/// while (its ranks are the children of `mpirun` whose environment names their rank).
func killRank(_ rank: Int, of mpirun: Process, signal: Int32) throws {
  let target = "OMPI_COMM_WORLD_RANK=\(rank)"
  for _ in 0..<200 {
    usleep(50_000)
    for pid in children(of: mpirun.processIdentifier) {
      let environ = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))) ?? Data()
      guard environ.split(separator: 0).contains(where: { Data($0) == Data(target.utf8) })
      else { continue }
      usleep(1_500_000)  // let it compile and train some steps first
      kill(pid, signal)
      return
    }
  }
  Issue.record("no rank \(rank) appeared under mpirun")
}

/// The process ids whose parent is `parent`.
func children(of parent: Int32) -> [Int32] {
  let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
  return entries.compactMap(Int32.init).filter { pid in
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return false }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.count > 1 && Int32(fields[1]) == parent
  }
}

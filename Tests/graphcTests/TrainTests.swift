import Foundation
import GraphData
import Testing

/// `train`: the linear-regression example recovers its coefficients; mistakes are one line.
@Suite struct TrainTests {
  static let files = [
    "fit.graph": "input x: f64[4]\ninput y: f64[4]\nparam a = 0\nparam b = 0\n"
      + "loss = mean((a*x + b - y)^2)\noutput loss\n",
    "wide.graph": "input x: f64[4, 2]\nparam w: f64[2] = 0\nloss = sum(x * w)\noutput loss\n",
    "vector.graph": "input x: f64[4]\nparam w: f64[4] = 0\nr = x * w\noutput r\n",
    "noparam.graph": "input x: f64[4]\nloss = sum(x)\noutput loss\n",
    "points.csv": "x,y\n1,5\n2,8\n3,11\n4,14\n5,17\n6,20\n7,23\n8,26\n",
    "short.csv": "1\n2\n3\n4\n5\n",
    "three.csv": "1,2,3\n4,5,6\n7,8,9\n1,2,3\n",
  ]
  let directory: URL

  init() throws { directory = try scratchDirectory(Self.files) }

  @Test func linearRegressionExampleConverges() throws {
    let example = examplesDirectory.appendingPathComponent("linear-regression.graph").path
    let data = examplesDirectory.appendingPathComponent("linear-regression.csv").path
    let result = try graphc(
      [
        "train", example, "--data", "x=\(data)#x", "--data", "y=\(data)#y", "--epochs", "30",
        "--lr", "0.1", "--threads", "1", "--save", "params", "--json",
      ], in: directory)
    #expect(result.status == 0 && result.stderr == "")
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 31 && lines[0].hasPrefix("epoch 1/30: loss "))
    let summary = try #require(
      try JSONSerialization.jsonObject(with: Data(lines[30].utf8)) as? [String: Any])
    #expect(summary["epochs"] as? Int == 30)
    #expect((summary["losses"] as? [Double])?.count == 30)
    // The noise is uniform in +-0.1: its variance is 0.1^2 / 3.
    #expect(try #require(summary["final_loss"] as? Double) < 0.01)
    #expect(try #require(summary["seconds"] as? Double) > 0)
    #expect(try #require(summary["steps_per_second"] as? Double) > 0)
    let a = try NPY.read(directory.appendingPathComponent("params/a.npy").path)
    let b = try NPY.read(directory.appendingPathComponent("params/b.npy").path)
    #expect(abs((a.scalar ?? 0) - 3) < 0.05 && abs((b.scalar ?? 0) - 2) < 0.05)
  }

  @Test func printsFittedParamsForPeople() throws {
    let result = try graphc(
      [
        "train", "fit.graph", "--data", "x=points.csv#x", "--data", "y=points.csv#1",
        "--epochs", "300", "--lr", "0.1", "--optimizer", "adam",
      ], in: directory)
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n")
    let a = lines.first { $0.hasPrefix("a = ") }.flatMap { Double($0.dropFirst(4)) }
    #expect(abs((a ?? 0) - 3) < 0.1, "\(result.stdout)")
  }

  /// `--set` gives a param its starting value: at the optimum already, one step of plain
  /// gradient descent leaves it there (the data is exactly y = 3x + 2).
  @Test func setGivesAParamItsStartingValue() throws {
    let result = try graphc(
      [
        "train", "fit.graph", "--data", "x=points.csv#x", "--data", "y=points.csv#y",
        "--epochs", "1", "--set", "a=3", "--set", "b=2",
      ], in: directory)
    #expect(result.status == 0 && result.stderr == "", "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "epoch 1/1: loss 0")
    #expect(lines.contains("a = 3") && lines.contains("b = 2"), "\(lines)")
  }

  /// `--load DIR` starts from what `--save DIR` wrote: bit for bit, so saving again after a
  /// step of learning rate ~0 gives the same files.
  @Test func loadStartsFromSavedParams() throws {
    let data = ["--data", "x=points.csv#x", "--data", "y=points.csv#y"]
    let first = try graphc(
      ["train", "fit.graph"] + data + ["--epochs", "5", "--lr", "0.01", "--save", "run1"],
      in: directory)
    #expect(first.status == 0)
    let saved = try NPY.read(directory.appendingPathComponent("run1/a.npy").path)
    let again = try graphc(
      ["train", "fit.graph"] + data + [
        "--epochs", "1", "--lr", "1e-300", "--load", "run1",
        "--save", "run2",
      ], in: directory)
    #expect(again.status == 0 && again.stderr == "", "\(again.stderr)")
    let reloaded = try NPY.read(directory.appendingPathComponent("run2/a.npy").path)
    #expect(reloaded.scalars == saved.scalars)
    // The first epoch of the resumed run starts where the first run ended: a lower loss
    // than the first run's first epoch.
    let loss = { (r: CommandResult) in
      r.stdout.split(separator: "\n").first.flatMap { Double($0.split(separator: " ").last ?? "") }
    }
    #expect(try #require(loss(again)) < (try #require(loss(first))))
    // --set wins over --load.
    let mixed = try graphc(
      ["train", "fit.graph"] + data + [
        "--epochs", "1", "--lr", "1e-300", "--load", "run1",
        "--set", "a=7",
      ], in: directory)
    #expect(mixed.status == 0 && mixed.stdout.contains("\na = 7\n"), "\(mixed.stdout)")
  }

  @Test func loadFromAMissingDirectoryIsOneLine() throws {
    let result = try graphc(
      [
        "train", "fit.graph", "--data", "x=points.csv#x", "--data", "y=points.csv#y",
        "--load", "nowhere",
      ], in: directory)
    #expect(result.status != 0 && result.stdout == "")
    #expect(
      result.stderr == "nowhere/a.npy: error: cannot read the file (missing or unreadable)\n")
  }

  @Test(arguments: [
    (
      ["train", "fit.graph", "--data", "z=points.csv"],
      "graphc: error: --data z: fit.graph has no input named 'z' (inputs: x, y)"
    ),
    (
      ["train", "fit.graph", "--data", "x=points.csv", "--data", "y=points.csv#y"],
      "points.csv: error: --data x: 'x' is f64[4], so each example should have shape []; "
        + "the data has shape [8, 2], examples of shape [2]"
    ),
    (
      ["train", "wide.graph", "--data", "x=three.csv"],
      "three.csv: error: --data x: 'x' is f64[4,2], so each example should have shape [2]; "
        + "the data has shape [4, 3], examples of shape [3]"
    ),
    (
      ["train", "fit.graph", "--data", "x=points.csv#x", "--data", "y=short.csv"],
      "graphc: error: --data y (short.csv) has 5 examples but --data x (points.csv#x) has 8"
    ),
    (
      ["train", "fit.graph", "--data", "x=points.csv#x"],
      "fit.graph:2:7: error: no value for input 'y' (bind data with --data NAME=PATH or give "
        + "a value with --set NAME=VALUE)"
    ),
    (
      ["train", "fit.graph", "--data", "x=missing.npy"],
      "missing.npy: error: cannot read the file: no such file"
    ),
    (
      ["train", "fit.graph", "--data", "x=points.csv#q"],
      "points.csv: error: no column 'q' (columns: x, y)"
    ),
    (
      ["train", "noparam.graph", "--data", "x=short.csv"],
      "graphc: error: noparam.graph has no param to train (declare one with 'param')"
    ),
    (
      ["train", "vector.graph", "--data", "x=short.csv"],
      "graphc: error: the loss 'r' is f64[4]; train needs a scalar loss (e.g. mean(...) or "
        + "sum(...)), chosen with --loss"
    ),
    (
      ["train", "fit.graph", "--loss", "nope", "--data", "x=short.csv"],
      "graphc: error: --loss nope: fit.graph defines no value 'nope'"
    ),
    (
      [
        "train", "fit.graph", "--data", "x=points.csv#x", "--data", "y=points.csv#y", "--batch",
        "8",
      ],
      "graphc: error: --batch 8: 'x' is declared f64[4], so the batch size is its first "
        + "dimension, 4 (change the declaration to train with another batch size)"
    ),
    (
      ["train", "fit.graph", "--data", "x=points.csv#x", "--optimizer", "lbfgs"],
      "graphc: error: --optimizer must be sgd, momentum or adam, got 'lbfgs'"
    ),
  ])
  func mistakesAreOneLine(arguments: [String], expected: String) throws {
    let result = try graphc(arguments, in: directory)
    #expect(result.status != 0 && result.stdout == "")
    #expect(result.stderr == expected + "\n")
  }
}

import Foundation
import GraphCompiler
import GraphIR
import GraphTraining
import Testing

/// Ranks simulated in one process: rank 0 of `size` ranks that all hold the same values, so
/// a sum over ranks is `size` times the value; rank `mismatch`, if any, reports another
/// step fingerprint.
final class MirrorCommunicator: Communicator, @unchecked Sendable {
  let rank = 0
  let size: Int
  let mismatch: Int?
  var sums = 0

  init(size: Int, mismatch: Int? = nil) {
    self.size = size
    self.mismatch = mismatch
  }

  func sumInPlace(_ data: UnsafeMutableRawPointer, count: Int, dtype: DType) throws {
    sums += 1
    let v = data.assumingMemoryBound(to: Float.self)
    for i in 0..<count { v[i] *= Float(size) }
  }

  func broadcast(_ bytes: [UInt8]) throws -> [UInt8] { bytes }

  func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] {
    (0..<size).map { $0 == mismatch ? bytes.map { $0 ^ 1 } : bytes }
  }
}

/// A summer that always fails, as one whose peer died.
final class FailingSummer: RankSummer {
  func sumInPlace(_ data: UnsafeMutableRawPointer, count: Int, dtype: DType) throws {
    throw DistributedError.silentRanks(ranks: [2], seconds: 5, exchange: "gradient exchange")
  }
}

/// The step's `allreduce` and the trainer's rank handling, with simulated ranks. Serialised:
/// the summer compiled code calls is one per process.
@Suite(.serialized) struct DistributedTrainerTests {
  /// An MLP step on `batch` rows for `ranks` ranks, plain SGD.
  static func step(batch: Int, ranks: Int) throws -> TrainingStep {
    let b = GraphBuilder()
    let x = try b.input("x", .f32, shape: [batch, 5])
    let y = try b.input("y", .f32, shape: [batch, 3])
    let net = try Sequential(b, sizes: [5, 8, 3], hidden: .tanh)
    let loss = try Loss.softmaxCrossEntropy(logits: net(x), onehot: y)
    return try TrainingStep(
      b, loss: loss.id, parameters: net.parameters.map(\.id), optimizer: .sgd(momentum: 0.9),
      ranks: ranks)
  }

  static let data: Dataset = {
    let n = 32
    let x = (0..<n * 5).map { sin(Double($0) * 0.61) }
    let y = (0..<n * 3).map { $0 % 3 == ($0 / 3 * 7) % 3 ? 1.0 : 0.0 }
    return try! Dataset([
      "x": Tensor(.f32, shape: [n, 5], scalars: x), "y": Tensor(.f32, shape: [n, 3], scalars: y),
    ])
  }()

  /// Rank 0 of two mirrored ranks trains on the first half of each global batch of 8; the
  /// mirror doubles the sums, the step halves them: one process on those halves gives the
  /// same parameters.
  @Test func averagesGradientsOverRanks() throws {
    defer { RankSums.install(nil) }
    let mirror = MirrorCommunicator(size: 2)
    let ranks = try Trainer(
      Self.step(batch: 4, ranks: 2), options: CompileOptions(threads: 1), communicator: mirror)
    let alone = try Trainer(Self.step(batch: 4, ranks: 1), options: CompileOptions(threads: 1))
    for epoch in 0..<2 {
      for rows in Self.data.batches(size: 8, seed: 3, epoch: epoch) {
        let a = try ranks.train(rows: rows, of: Self.data, learningRate: 0.3)
        let b = try alone.train(rows: Array(rows.prefix(4)), of: Self.data, learningRate: 0.3)
        #expect(abs(a - b) <= 1e-6 * abs(b))
      }
    }
    #expect(mirror.sums == 8)
    for (name, value) in alone.parameters {
      let other = try #require(ranks.parameters[name])
      let scale = value.scalars.map(abs).max() ?? 0
      let worst = zip(value.scalars, other.scalars).map { abs($0 - $1) }.max() ?? 0
      #expect(worst <= 1e-6 * scale, "\(name)")
    }
  }

  @Test func rankErrorsAreNamed() throws {
    defer { RankSums.install(nil) }
    #expect(throws: DistributedError.wrongRankCount(step: 1, communicator: 2)) {
      try Trainer(
        Self.step(batch: 4, ranks: 1), options: CompileOptions(),
        communicator: MirrorCommunicator(size: 2))
    }
    let mismatched = #expect(throws: DistributedError.self) {
      try Trainer(
        Self.step(batch: 4, ranks: 3), options: CompileOptions(),
        communicator: MirrorCommunicator(size: 3, mismatch: 2))
    }
    #expect(mismatched?.description.hasPrefix("rank 2's training step differs") == true)
    let trainer = try Trainer(
      Self.step(batch: 4, ranks: 2), options: CompileOptions(),
      communicator: MirrorCommunicator(size: 2))
    #expect(throws: DistributedError.unevenBatch(batch: 7, ranks: 2)) {
      try trainer.train(rows: Array(0..<7), of: Self.data, learningRate: 0.1)
    }
    #expect(
      DistributedError.unevenBatch(batch: 7, ranks: 2).description
        == "the global batch of 7 does not split evenly over 2 ranks (choose a batch that is a "
        + "multiple of 2)")
  }

  /// A summer's failure reaches the caller of the compiled step as its error.
  @Test func aFailedSumIsThrown() throws {
    defer { RankSums.install(nil) }
    let b = GraphBuilder()
    let x = try b.input("x", .f32, shape: [4]).id
    b.setOutputs([GraphOutput("y", try b.allreduce(b.mul(x, x)))])
    for backend in [Backend.tcc, .cc] {
      let compiled = try Pipeline.compile(b.graph, options: CompileOptions(backend: backend))
      let inputs = ["x": Tensor(.f32, shape: [4], scalars: [1, 2, 3, 4])]
      RankSums.install(nil)
      #expect(try compiled.run(inputs)["y"]?.scalars == [1, 4, 9, 16])
      RankSums.install(MirrorCommunicator(size: 3))
      #expect(try compiled.run(inputs)["y"]?.scalars == [3, 12, 27, 48])
      RankSums.install(FailingSummer())
      let error = #expect(throws: DistributedError.self) { try compiled.run(inputs) }
      #expect(
        error?.description
          == "rank 2 did not finish the gradient exchange within 5 s: it died or hangs; stopping")
    }
  }
}

import GraphCompiler
import GraphIR

/// The processes (ranks) of a data-parallel run, as a `Trainer` needs them: each rank trains
/// on its own slice of every global batch, and the compiled step's `allreduce` sums the
/// gradients over all ranks (`RankSummer`). `MPICommunicator` is the one over MPI.
public protocol Communicator: RankSummer {
  /// This process's rank, `0 ..< size`.
  var rank: Int { get }
  /// How many ranks take part.
  var size: Int { get }
  /// Rank 0's `bytes`, on every rank (each rank passes a buffer of the same length).
  func broadcast(_ bytes: [UInt8]) throws -> [UInt8]
  /// Every rank's `bytes` in rank order, on every rank (each rank passes the same length).
  func allGather(_ bytes: [UInt8]) throws -> [[UInt8]]
}

/// How an MPI run sums the gradients over ranks.
public enum ReductionMode: String, Sendable, CaseIterable {
  /// Every rank receives every other rank's buffer and adds them all in rank order: every
  /// rank ends every step with bitwise identical parameters, and repeated runs give the same
  /// bits, whatever the MPI library's own reduction order. Each rank receives `size - 1`
  /// buffers per step, which suits the few ranks of a small cluster.
  case deterministic
  /// `MPI_Allreduce`: the MPI library's reduction order (faster on many ranks), the same on
  /// every rank but not bitwise equal to one process or to another rank count.
  case fast
}

/// What goes wrong between ranks; each message names the rank concerned.
public enum DistributedError: Error, Equatable, Sendable, CustomStringConvertible {
  /// libmpi could not be loaded or lacks a function graphc needs.
  case mpiUnavailable(String)
  /// An MPI call returned an error code.
  case mpiCall(function: String, code: Int32)
  /// Ranks that did not finish an exchange within the timeout (they died or hang); empty
  /// when MPI cannot tell which.
  case silentRanks(ranks: [Int], seconds: Double, exchange: String)
  /// A rank whose training step differs from rank 0's (another graph, batch or optimizer).
  case mismatchedStep(rank: Int, detail: String)
  /// A batch that does not split evenly over the ranks.
  case unevenBatch(batch: Int, ranks: Int)
  /// A step built for another number of ranks than the communicator has.
  case wrongRankCount(step: Int, communicator: Int)
  /// Ranks whose parameters differ from rank 0's after training in deterministic mode.
  case divergedParameters(ranks: [Int])

  public var description: String {
    switch self {
    case .mpiUnavailable(let reason):
      "MPI is not available: \(reason) (install Open MPI: apt-get install openmpi-bin "
        + "libopenmpi-dev, and start with mpirun)"
    case .mpiCall(let function, let code):
      "\(function) failed with MPI error code \(code)"
    case .silentRanks(let ranks, let seconds, let exchange) where ranks.isEmpty:
      "a rank did not finish the \(exchange) within \(formatNumber(seconds)) s: it died or "
        + "hangs (MPI_Allreduce cannot tell which; --reduction deterministic names it); stopping"
    case .silentRanks(let ranks, let seconds, let exchange):
      "\(list(ranks)) did not finish the \(exchange) within \(formatNumber(seconds)) s: "
        + "\(ranks.count == 1 ? "it died or hangs" : "they died or hang"); stopping"
    case .mismatchedStep(let rank, let detail):
      "rank \(rank)'s training step differs from rank 0's: \(detail)"
    case .unevenBatch(let batch, let ranks):
      "the global batch of \(batch) does not split evenly over \(ranks) ranks "
        + "(choose a batch that is a multiple of \(ranks))"
    case .wrongRankCount(let step, let communicator):
      "the training step was built for \(step) rank\(step == 1 ? "" : "s") but the "
        + "communicator has \(communicator)"
    case .divergedParameters(let ranks):
      "the parameters of \(list(ranks)) differ from rank 0's after training"
    }
  }

  private func list(_ ranks: [Int]) -> String {
    ranks.count == 1
      ? "rank \(ranks[0])" : "ranks " + ranks.map(String.init).joined(separator: ", ")
  }
}

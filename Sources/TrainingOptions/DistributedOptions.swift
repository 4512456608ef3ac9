import ArgumentParser
import GraphTraining

/// Command-line options shared by graphc's `train` and the training examples.
/// `--distributed` and its settings: data-parallel training over the ranks `mpirun` starts.
public struct DistributedOptions: ParsableArguments {
  public init() {}

  @Flag(
    help: """
      Train data-parallel on the ranks mpirun starts (mpirun -np 4 PROGRAM ... --distributed): \
      each rank takes an equal slice of every global batch.
      """)
  public var distributed = false
  @Option(
    help: """
      With --distributed: deterministic (each rank adds all ranks' gradients in rank order; \
      bitwise identical on every rank and run) or fast (MPI_Allreduce).
      """)
  public var reduction: ReductionMode = .deterministic
  @Option(
    help: "With --distributed: seconds to wait for another rank before stopping with an error.")
  public var rankTimeout = 60.0

  public func validate() throws {
    guard rankTimeout.isFinite, rankTimeout > 0 else {
      throw ValidationError("--rank-timeout must be a positive number of seconds")
    }
  }

  /// The world communicator with `--distributed`, else nil (one process).
  public func communicator() throws -> MPICommunicator? {
    guard distributed else { return nil }
    return try MPICommunicator.world(
      mode: reduction, timeout: .milliseconds(Int64(rankTimeout * 1000)))
  }
}

extension ReductionMode: ExpressibleByArgument {}

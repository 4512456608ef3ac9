import Foundation
import GraphIR
import Synchronization

/// The ranks of an `mpirun` launch (MPI_COMM_WORLD), over Open MPI's `libmpi` loaded at run
/// time: graphc builds and runs without MPI, and only `MPICommunicator.world` needs it.
///
/// The only code that talks to MPI. Every exchange is non-blocking requests polled against
/// a deadline (`timeout`), because a blocking MPI call waits forever for a rank that died
/// or hangs; when the deadline passes, the error names the ranks that sent nothing. Each
/// exchange carries a sequence number as its tag, so ranks that fall out of step do not
/// match each other's messages.
///
/// Deterministic mode has every rank receive every other rank's gradients and add them in
/// rank order (`ReductionMode`); fast mode calls `MPI_Iallreduce`. Calls are serialised by a lock (MPI is initialised
/// with `MPI_THREAD_SERIALIZED`).
public final class MPICommunicator: Communicator, @unchecked Sendable {
  public let rank: Int
  public let size: Int
  /// How gradients are summed.
  public let mode: ReductionMode
  /// How long an exchange waits for the other ranks before it stops with an error.
  public let timeout: Duration
  private let mpi: Library
  private let lock = NSLock()
  private var sequence = 0
  private var received: UnsafeMutableRawBufferPointer?
  private var abandoned = false

  /// Exchanges so far and the time spent in them (waiting included), for benchmarks.
  public private(set) var exchanges = 0
  public private(set) var exchangeSeconds = 0.0

  /// The communicator of every rank `mpirun` started, initialising MPI on first use.
  /// Throws `DistributedError.mpiUnavailable` when libmpi cannot be loaded (set
  /// `GRAPHC_LIBMPI` to its path to load that file instead of looking it up by name).
  public static func world(mode: ReductionMode = .deterministic, timeout: Duration = .seconds(60))
    throws -> MPICommunicator
  {
    let mpi = try Library.shared()
    var rank: Int32 = 0
    var size: Int32 = 0
    try mpi.check("MPI_Comm_rank", mpi.commRank(mpi.world, &rank))
    try mpi.check("MPI_Comm_size", mpi.commSize(mpi.world, &size))
    return MPICommunicator(mpi, rank: Int(rank), size: Int(size), mode: mode, timeout: timeout)
  }

  /// True when this process was started by Open MPI's `mpirun` (or `mpiexec`).
  public static var isLaunchedByMPI: Bool {
    ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil
  }

  /// Ends MPI after a successful run (every rank calls it once, after its last exchange).
  /// After an error, exit without it: `mpirun` then stops the other ranks.
  public static func finalize() {
    guard let mpi = try? Library.shared() else { return }
    _ = mpi.finalize()
  }

  private init(_ mpi: Library, rank: Int, size: Int, mode: ReductionMode, timeout: Duration) {
    self.mpi = mpi
    self.rank = rank
    self.size = size
    self.mode = mode
    self.timeout = timeout
  }

  public func sumInPlace(_ data: UnsafeMutableRawPointer, count: Int, dtype: DType) throws {
    guard size > 1, count > 0 else { return }
    try serialised {
      let started = ContinuousClock.now
      defer {
        exchanges += 1
        let elapsed = started.duration(to: .now).components
        exchangeSeconds += Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
      }
      let type = dtype == .f64 ? mpi.double : mpi.float
      let elementSize = dtype.byteSize
      let tag = nextTag()
      switch mode {
      case .fast:
        let request = Requests(1)
        try mpi.check(
          "MPI_Iallreduce",
          mpi.iallreduce(
            UnsafeRawPointer(bitPattern: 1), data, try int32(count), type, mpi.sum, mpi.world,
            request[0]))
        try wait(request, ranks: [-1], what: "gradient exchange")
      case .deterministic:
        // Every rank receives every other rank's buffer and adds all of them in rank order,
        // ((x0 + x1) + x2) + ...: the same operands in the same order everywhere, so the
        // same bits on every rank, whatever MPI does. Receiving from every peer also names
        // the ones that do not answer.
        let bytes = count * elementSize
        let slots = scratch(bytes * size)
        let peers = (0..<size).filter { $0 != rank }
        let requests = Requests(2 * peers.count)
        for (k, r) in peers.enumerated() {
          try mpi.check(
            "MPI_Irecv",
            mpi.irecv(
              slots + r * bytes, try int32(count), type, Int32(r), tag, mpi.world, requests[k]))
        }
        for (k, r) in peers.enumerated() {
          try mpi.check(
            "MPI_Isend",
            mpi.isend(
              data, try int32(count), type, Int32(r), tag, mpi.world, requests[peers.count + k]))
        }
        try wait(requests, ranks: peers + peers, what: "gradient exchange")
        (slots + rank * bytes).copyMemory(from: data, byteCount: bytes)
        data.copyMemory(from: slots, byteCount: bytes)
        for r in 1..<size { add(slots + r * bytes, into: data, count, dtype) }
      }
    }
  }

  /// Memory for `bytes` of received buffers, kept between exchanges (and for good once an
  /// exchange was abandoned, as MPI may still write it).
  private func scratch(_ bytes: Int) -> UnsafeMutableRawPointer {
    if let buffer = received, buffer.count >= bytes, let base = buffer.baseAddress { return base }
    if !abandoned { received?.deallocate() }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes, alignment: 64)
    received = buffer
    guard let base = buffer.baseAddress else { preconditionFailure("an empty exchange buffer") }
    return base
  }

  deinit {
    if !abandoned { received?.deallocate() }
  }

  public func broadcast(_ bytes: [UInt8]) throws -> [UInt8] {
    guard size > 1 else { return bytes }
    return try serialised {
      let tag = nextTag()
      var result = bytes
      try result.withUnsafeMutableBytes { buffer in
        guard let base = buffer.baseAddress else { return }
        if rank == 0 {
          try send(
            UnsafeRawPointer(base), count: buffer.count, mpi.byte, tag: tag,
            what: "parameter exchange")
        } else {
          let requests = Requests(1)
          try mpi.check(
            "MPI_Irecv",
            mpi.irecv(base, try int32(buffer.count), mpi.byte, 0, tag, mpi.world, requests[0]))
          try wait(requests, ranks: [0], what: "parameter exchange")
        }
      }
      return result
    }
  }

  public func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] {
    guard size > 1 else { return [bytes] }
    let n = bytes.count
    var all = [UInt8](repeating: 0, count: n * size)
    try serialised {
      let tag = nextTag()
      try all.withUnsafeMutableBytes { buffer in
        guard let base = buffer.baseAddress else { return }
        base.copyMemory(from: bytes, byteCount: n)
        if rank == 0 {
          let requests = Requests(size - 1)
          for r in 1..<size {
            try mpi.check(
              "MPI_Irecv",
              mpi.irecv(
                base + r * n, try int32(n), mpi.byte, Int32(r), tag, mpi.world,
                requests[r - 1]))
          }
          try wait(requests, ranks: Array(1..<size), what: "parameter exchange")
        } else {
          let requests = Requests(1)
          try mpi.check(
            "MPI_Isend", mpi.isend(base, try int32(n), mpi.byte, 0, tag, mpi.world, requests[0]))
          try wait(requests, ranks: [0], what: "parameter exchange")
        }
      }
    }
    all = try broadcast(all)
    return (0..<size).map { Array(all[$0 * n..<($0 + 1) * n]) }
  }

  // MARK: Requests and deadlines

  /// Rank 0 sends `count` elements at `data` to every other rank and waits until all left.
  private func send(
    _ data: UnsafeRawPointer, count: Int, _ type: UnsafeMutableRawPointer, tag: Int32,
    what: String
  ) throws {
    let requests = Requests(size - 1)
    for r in 1..<size {
      try mpi.check(
        "MPI_Isend",
        mpi.isend(data, try int32(count), type, Int32(r), tag, mpi.world, requests[r - 1]))
    }
    try wait(requests, ranks: Array(1..<size), what: what)
  }

  /// Polls `requests` until all completed; past the deadline, throws naming the ranks whose
  /// requests are still open (`ranks[k]` is request k's peer; -1 when unknown). Requests
  /// left open are abandoned with their buffers: the process is about to stop.
  private func wait(_ requests: Requests, ranks: [Int], what: String) throws {
    let started = ContinuousClock.now
    let deadline = started + timeout
    var open = Array(0..<requests.count)
    while true {
      var stillOpen: [Int] = []
      for k in open {
        var done: Int32 = 0
        try mpi.check("MPI_Test", mpi.test(requests[k], &done, nil))
        if done == 0 { stillOpen.append(k) }
      }
      open = stillOpen
      if open.isEmpty { break }
      if ContinuousClock.now > deadline {
        requests.abandon()
        abandoned = true
        let silent = Set(open.map { ranks[$0] }).sorted()
        let seconds = Double(timeout.components.seconds)
        throw DistributedError.silentRanks(
          ranks: silent == [-1] ? [] : silent, seconds: seconds, exchange: what)
      }
      // A large message moves in fragments, each needing a poll on both sides, so polls
      // follow each other closely (yielding the core to any rank that shares it) for the
      // first 50 ms; a wait longer than that is for a slower rank, checked every 0.1 ms.
      if started.duration(to: .now) < .milliseconds(50) { sched_yield() } else { usleep(100) }
    }
    requests.release()
  }

  private func serialised<T>(_ body: () throws -> T) throws -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }

  /// The next exchange's tag: a sequence number, within every MPI's tag range.
  private func nextTag() -> Int32 {
    sequence += 1
    return Int32(sequence % 32_000)
  }

  private func int32(_ count: Int) throws -> Int32 {
    guard let n = Int32(exactly: count) else {
      throw DistributedError.mpiUnavailable("a message of \(count) elements is too long for MPI")
    }
    return n
  }

  /// `accumulator += other`, elementwise in `dtype`.
  private func add(
    _ other: UnsafeRawPointer, into accumulator: UnsafeMutableRawPointer, _ count: Int,
    _ dtype: DType
  ) {
    if dtype == .f64 {
      let (a, b) = (
        accumulator.assumingMemoryBound(to: Double.self),
        other.assumingMemoryBound(to: Double.self)
      )
      for i in 0..<count { a[i] += b[i] }
    } else {
      let (a, b) = (
        accumulator.assumingMemoryBound(to: Float.self),
        other.assumingMemoryBound(to: Float.self)
      )
      for i in 0..<count { a[i] += b[i] }
    }
  }
}

/// MPI request handles (`MPI_Request`, a pointer in Open MPI) in memory of their own.
private final class Requests {
  let count: Int
  private var storage: UnsafeMutablePointer<UnsafeMutableRawPointer?>?

  init(_ count: Int) {
    self.count = count
    storage = .allocate(capacity: max(count, 1))
    storage?.initialize(repeating: nil, count: max(count, 1))
  }

  subscript(k: Int) -> UnsafeMutablePointer<UnsafeMutableRawPointer?> {
    guard let storage else { preconditionFailure("an MPI request used after it was abandoned") }
    return storage + k
  }

  /// Frees the handles (every request completed).
  func release() {
    storage?.deallocate()
    storage = nil
  }

  /// Keeps the handles alive for good: MPI may still write them.
  func abandon() { storage = nil }
}

/// Open MPI's functions and predefined objects, found in `libmpi` with `dlsym`.
///
/// Open MPI's handles (`MPI_Comm`, `MPI_Datatype`, `MPI_Op`, `MPI_Request`) are pointers and
/// its predefined ones the addresses of exported globals (`ompi_mpi_comm_world`, ...), so
/// they need no header. Other MPI libraries (MPICH's integer handles) are not supported.
private final class Library: @unchecked Sendable {
  typealias Handle = UnsafeMutableRawPointer
  typealias Request = UnsafeMutablePointer<UnsafeMutableRawPointer?>
  let world: Handle
  let byte: Handle
  let float: Handle
  let double: Handle
  let sum: Handle
  let commRank: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
  let commSize: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
  let isend:
    @convention(c) (UnsafeRawPointer?, Int32, Handle, Int32, Int32, Handle, Request) -> Int32
  let irecv:
    @convention(c) (UnsafeMutableRawPointer?, Int32, Handle, Int32, Int32, Handle, Request) ->
      Int32
  let iallreduce:
    @convention(c) (
      UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle, Request
    ) -> Int32
  let test: @convention(c) (Request, UnsafeMutablePointer<Int32>, UnsafeMutableRawPointer?) -> Int32
  let finalize: @convention(c) () -> Int32

  private static let loaded = Mutex<Result<Library, DistributedError>?>(nil)

  /// The library, loaded and initialised once per process.
  static func shared() throws -> Library {
    try loaded.withLock { loaded in
      if loaded == nil {
        loaded = Result { try Library() }.mapError {
          $0 as? DistributedError ?? .mpiUnavailable("\($0)")
        }
      }
      guard let loaded else { preconditionFailure("MPI library state not set") }
      return try loaded.get()
    }
  }

  private init() throws {
    let environment = ProcessInfo.processInfo.environment
    let names = environment["GRAPHC_LIBMPI"].map { [$0] } ?? ["libmpi.so.40", "libmpi.so"]
    // RTLD_GLOBAL: Open MPI's plugins resolve libmpi's symbols through the global scope.
    guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_GLOBAL) }).first else {
      throw DistributedError.mpiUnavailable(
        "cannot load libmpi (tried \(names.joined(separator: ", ")))")
    }
    func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
      guard let address = dlsym(handle, name) else {
        throw DistributedError.mpiUnavailable(
          "libmpi has no '\(name)' (graphc's binding needs Open MPI)")
      }
      return address
    }
    func function<F>(_ name: String, _: F.Type) throws -> F {
      unsafeBitCast(try symbol(name), to: F.self)
    }
    world = try symbol("ompi_mpi_comm_world")
    byte = try symbol("ompi_mpi_byte")
    float = try symbol("ompi_mpi_float")
    double = try symbol("ompi_mpi_double")
    sum = try symbol("ompi_mpi_op_sum")
    commRank = try function("MPI_Comm_rank", type(of: commRank))
    commSize = try function("MPI_Comm_size", type(of: commSize))
    isend = try function("MPI_Isend", type(of: isend))
    irecv = try function("MPI_Irecv", type(of: irecv))
    iallreduce = try function("MPI_Iallreduce", type(of: iallreduce))
    test = try function("MPI_Test", type(of: test))
    finalize = try function("MPI_Finalize", type(of: finalize))
    typealias Initialized = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    typealias InitThread =
      @convention(c) (
        UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int32, UnsafeMutablePointer<Int32>
      ) -> Int32
    let initialized = try function("MPI_Initialized", Initialized.self)
    let initThread = try function("MPI_Init_thread", InitThread.self)
    var already: Int32 = 0
    try check("MPI_Initialized", initialized(&already))
    if already == 0 {
      var provided: Int32 = 0
      let serialized: Int32 = 2  // MPI_THREAD_SERIALIZED
      try check("MPI_Init_thread", initThread(nil, nil, serialized, &provided))
    }
  }

  func check(_ function: String, _ code: Int32) throws {
    if code != 0 { throw DistributedError.mpiCall(function: function, code: code) }
  }
}

extension Trainer {
  /// Ends a data-parallel run on `mpi`: gathers every rank's parameter checksum (a collective
  /// call, so every rank makes it), then finalises MPI. Returns what rank 0 reports in its
  /// `--json` line (`ranks`, `param_checksums`, `exchange_seconds_per_step`), and nil on the
  /// other ranks, which have nothing more to do.
  public func finishDistributed(_ mpi: MPICommunicator) throws -> [String: Any]? {
    let checksums = try parameterChecksums()
    MPICommunicator.finalize()
    guard mpi.rank == 0 else { return nil }
    return [
      "ranks": mpi.size, "param_checksums": checksums.map { String($0, radix: 16) },
      "exchange_seconds_per_step": mpi.exchangeSeconds / Double(max(mpi.exchanges, 1)),
    ]
  }
}

import CCodegen
import Foundation
import GraphIR
import Synchronization

/// A graph compiled to machine code, ready to call.
///
/// `run` is the convenient API (tensors in, tensors out). The caller's values are checked
/// once, by `bind`, into an `InputBinding` that holds them by position; from there on
/// nothing looks at names or shapes again. For repeated calls without allocation, make an
/// `ExecutionContext` once, write inputs into its buffers and call `ExecutionContext.run()`.
/// A `CompiledGraph` is immutable and can be shared between threads; each thread uses its
/// own context (a context is not itself thread-safe).
public final class CompiledGraph: @unchecked Sendable {
  /// The optimised graph that was compiled.
  public let graph: Graph
  /// The generated C and its calling convention.
  public let program: CProgram
  /// Inputs and params, in the order the kernels take them.
  public var inputs: [CBinding] { program.inputs }
  /// Outputs, in the graph's order.
  public var outputs: [CBinding] { program.outputs }
  /// The generated C text.
  public var source: String { program.source }
  /// Number of fused kernels.
  public var kernelCount: Int { program.kernelCount }
  /// Scratch bytes per context.
  public var arenaBytes: Int { program.arenaBytes }
  /// Starting values of params (from their initialisers and the seed), by name.
  public var paramDefaults: [String: Tensor] {
    var result: [String: Tensor] = [:]
    for (k, input) in inputs.enumerated() { result[input.name] = defaults[k] }
    return result
  }
  /// The position of each input and param in `inputs`, by name.
  private let inputIndices: [String: Int]
  /// Starting values of params by position in `inputs` (nil for an input): computed once,
  /// when the graph is compiled.
  private let defaults: [Tensor?]

  /// The code calls run: swapped once, from TinyCC to cc code, in tiered mode.
  let code: CodeSlot
  /// Threads a call may use (from `CompileOptions.threads`).
  let threads: Int
  /// The backend whose code calls run now (`.tcc` or `.cc`; `.tiered` never appears here).
  public var activeBackend: Backend { code.backend }
  /// Warnings about the build, such as a fallback from cc to TinyCC, for the caller to show
  /// (the library prints nothing); a tiered build may add one when its cc build ends.
  public var warnings: [String] { code.warnings }

  init(
    graph: Graph, program: CProgram, code: any LoadedCode, backend: Backend,
    options: CompileOptions
  ) throws {
    self.graph = graph
    self.program = program
    self.code = CodeSlot(code, backend)
    self.threads = max(1, options.threads)
    try MemoryBudget.check(program.inputs.map { ($0.name, $0.type) })
    // Names are unique: the builder refuses a second input or param of one name.
    inputIndices = Dictionary(
      uniqueKeysWithValues: program.inputs.enumerated().map { ($1.name, $0) })
    defaults = program.inputs.map { input in
      guard input.isParam else { return nil }
      return graph.initializer(ofParam: input.node).values(
        input.type, seed: options.seed, name: input.name)
    }
  }

  /// The position of input or param `name` in `inputs`, or nil.
  public func inputIndex(named name: String) -> Int? {
    inputIndices[name]
  }

  /// The position of input or param `name` in `inputs`; throws `InputError.unknown`.
  func inputIndex(checking name: String) throws -> Int {
    guard let k = inputIndices[name] else { throw InputError.unknown([name]) }
    return k
  }

  /// In tiered mode, blocks until the background cc build has finished (successfully or
  /// not); otherwise returns at once. Calls never need this: it is for tests and benchmarks.
  public func waitForBackgroundCompile() {
    code.pending.wait()
  }

  /// Runs the graph. Every input must be given (the error lists all missing names); params
  /// not given take their starting values. Shapes must match the declarations; values are
  /// rounded to the declared dtype. Throws `InputError` for values that do not fit.
  public func run(_ values: [String: Tensor]) throws -> [String: Tensor] {
    let outputs = try run(bind(values))
    var result: [String: Tensor] = [:]
    for (k, output) in self.outputs.enumerated() { result[output.name] = outputs[k] }
    return result
  }

  /// Runs the graph on values bound by `bind`; returns the outputs in the order of `outputs`.
  public func run(_ binding: InputBinding) throws -> [Tensor] {
    let context = try makeContext(binding)
    try context.run()
    return outputs.indices.map(context.output(at:))
  }

  /// Checks the caller's values against `inputs`, once: every name must be an input or
  /// param, every input must be given, every shape must be the declared one.
  ///
  /// Throws `InputError`: all unknown names (sorted), else all missing inputs (in order),
  /// else the first value of the wrong shape.
  public func bind(_ values: [String: Tensor]) throws -> InputBinding {
    let unknown = values.keys.filter { inputIndices[$0] == nil }.sorted()
    if !unknown.isEmpty { throw InputError.unknown(unknown) }
    var bound: [Tensor?] = []
    var missing: [String] = []
    var wrongShape: InputError?
    for input in inputs {
      let value = values[input.name]
      bound.append(value)
      if value == nil, !input.isParam { missing.append(input.name) }
      if let value, value.shape != input.type.shape, wrongShape == nil {
        wrongShape = .wrongShape(name: input.name, expected: input.type, got: value.shape)
      }
    }
    if !missing.isEmpty { throw InputError.missing(missing) }
    if let wrongShape { throw wrongShape }
    return InputBinding(ObjectIdentifier(self), bound)
  }

  /// A set of buffers (inputs preset to zero, params to their starting values, outputs and
  /// arena) for calling the kernels repeatedly without allocating. Throws
  /// `CompileError.tooLarge` before allocating more memory than the machine has.
  public func makeContext() throws -> ExecutionContext {
    try makeContext(
      InputBinding(ObjectIdentifier(self), Array(repeating: nil, count: inputs.count)))
  }

  /// A set of buffers holding `binding`'s values, and starting values for the params it
  /// leaves out (see `makeContext()`).
  public func makeContext(_ binding: InputBinding) throws -> ExecutionContext {
    precondition(binding.graph == ObjectIdentifier(self), "a binding made by another graph")
    let sizes = inputs.map(\.type.byteCount) + outputs.map(\.type.byteCount) + [arenaBytes]
    var total = 0
    for size in sizes {
      let (sum, overflow) = total.addingReportingOverflow(size)
      guard !overflow else { throw CompileError.tooLarge(bytes: Int.max) }
      total = sum
    }
    guard UInt64(total) <= ProcessInfo.processInfo.physicalMemory else {
      throw CompileError.tooLarge(bytes: total)
    }
    let context = ExecutionContext(self)
    for k in inputs.indices {
      if let value = binding.values[k] ?? defaults[k] { context.write(value, at: k) }
    }
    return context
  }
}

/// The caller's values for a `CompiledGraph`, checked by `CompiledGraph.bind`: one value
/// for each position of `CompiledGraph.inputs`, nil where a param keeps its starting value.
/// Only the graph that made a binding accepts it.
public struct InputBinding: Sendable {
  /// The graph that checked the values.
  let graph: ObjectIdentifier
  /// The values, by position in `CompiledGraph.inputs`.
  public let values: [Tensor?]

  init(_ graph: ObjectIdentifier, _ values: [Tensor?]) {
    self.graph = graph
    self.values = values
  }
}

/// Buffers for one caller of a `CompiledGraph`: write inputs, `run()`, read outputs.
///
/// Owns its memory (64-byte aligned) and keeps the compiled code alive. Not thread-safe:
/// use one context per thread.
public final class ExecutionContext {
  /// The graph this context runs.
  public let compiled: CompiledGraph
  private let inputBuffers: [UnsafeMutableRawBufferPointer]
  private let outputBuffers: [UnsafeMutableRawBufferPointer]
  private let arena: UnsafeMutableRawBufferPointer
  private let inputPointers: UnsafeMutablePointer<UnsafeRawPointer?>
  private let outputPointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>

  fileprivate init(_ compiled: CompiledGraph) {
    self.compiled = compiled
    func allocate(_ bytes: Int) -> UnsafeMutableRawBufferPointer {
      let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes, 64), alignment: 64)
      buffer.initializeMemory(as: UInt8.self, repeating: 0)
      return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes])
    }
    inputBuffers = compiled.inputs.map { allocate($0.type.byteCount) }
    outputBuffers = compiled.outputs.map { allocate($0.type.byteCount) }
    arena = allocate(compiled.arenaBytes)
    inputPointers = .allocate(capacity: max(inputBuffers.count, 1))
    outputPointers = .allocate(capacity: max(outputBuffers.count, 1))
    for (k, buffer) in inputBuffers.enumerated() {
      inputPointers[k] = UnsafeRawPointer(buffer.baseAddress)
    }
    for (k, buffer) in outputBuffers.enumerated() { outputPointers[k] = buffer.baseAddress }
  }

  deinit {
    for buffer in inputBuffers + outputBuffers + [arena] { buffer.baseAddress?.deallocate() }
    inputPointers.deallocate()
    outputPointers.deallocate()
  }

  /// Calls the kernels once: reads the input buffers, writes the output buffers. With
  /// `CompileOptions.threads` above 1, big kernels are split across that many threads.
  ///
  /// Throws `InputError.indexOutOfRange` when an index (of `take`, `one_hot`, ...) is out of
  /// range: the kernels stop at the first such index, before reading or writing anything
  /// out of bounds, and the outputs are then incomplete. Throws the `RankSummer`'s error when
  /// an `allreduce` fails (see `RankSums`).
  public func run() throws {
    let threads = compiled.threads
    let entry = compiled.code.entry
    let status =
      threads > 1
      ? entry(
        inputPointers, outputPointers, arena.baseAddress, splitAcrossThreads,
        UnsafeMutableRawPointer(bitPattern: threads))
      : entry(inputPointers, outputPointers, arena.baseAddress, nil, nil)
    if status != 0 { throw fault(status: Int(status)) }
  }

  /// The error for a non-zero status of the entry: the failed check (see `CProgram`) and
  /// the fault record the kernel left in the arena.
  private func fault(status: Int) -> any Error {
    let plan = compiled.program.plan
    if status == CProgram.allreduceFailed {
      guard let failure = RankSums.takeFailure() else {
        preconditionFailure("the compiled code reported a failed allreduce that never ran")
      }
      return failure
    }
    guard status >= 1, status <= plan.checks.count, let offset = plan.faultOffset,
      let base = arena.baseAddress
    else {
      preconditionFailure("the compiled code returned status \(status) for no index check")
    }
    let check = plan.checks[status - 1]
    let record = (base + offset).assumingMemoryBound(to: Int64.self)
    var position = Int(record[1])
    var coordinates = [Int](repeating: 0, count: check.indexShape.count)
    for axis in check.indexShape.indices.reversed() {
      coordinates[axis] = position % check.indexShape[axis]
      position /= check.indexShape[axis]
    }
    return InputError.indexOutOfRange(
      caller: check.caller, index: Int(record[0]), axis: check.axis, size: check.size,
      position: coordinates)
  }

  /// Copies a tensor into the buffer of input or param `name` (rounding to its dtype).
  /// Throws `InputError` for an unknown name or a wrong shape.
  public func setInput(_ name: String, _ tensor: Tensor) throws {
    try setInput(at: compiled.inputIndex(checking: name), tensor)
  }

  /// Copies a tensor into the buffer of input or param `k` (rounding to its dtype). Throws
  /// `InputError.wrongShape` for a wrong shape.
  public func setInput(at k: Int, _ tensor: Tensor) throws {
    let input = compiled.inputs[k]
    guard tensor.shape == input.type.shape else {
      throw InputError.wrongShape(name: input.name, expected: input.type, got: tensor.shape)
    }
    write(tensor, at: k)
  }

  /// Output `k` as a tensor (a copy).
  public func output(at k: Int) -> Tensor {
    read(compiled.outputs[k].type, outputBuffers[k])
  }

  /// The output named `name` as a tensor, or nil.
  public func output(_ name: String) -> Tensor? {
    compiled.outputs.firstIndex { $0.name == name }.map(output(at:))
  }

  /// The current value of input or param `name` (a copy), e.g. parameters a training step
  /// keeps in its buffers. Throws `InputError.unknown` for an unknown name.
  public func input(_ name: String) throws -> Tensor {
    try input(at: compiled.inputIndex(checking: name))
  }

  /// The current value of input or param `k` (a copy).
  public func input(at k: Int) -> Tensor {
    read(compiled.inputs[k].type, inputBuffers[k])
  }

  /// Direct access to the raw bytes of input `name` (dense row-major `Float` or `Double`,
  /// as declared), e.g. to write a batch in place. Throws `InputError.unknown` for an
  /// unknown name.
  public func withInput<R>(_ name: String, _ body: (UnsafeMutableRawBufferPointer) throws -> R)
    throws -> R
  {
    try withInput(at: compiled.inputIndex(checking: name), body)
  }

  /// Direct access to the raw bytes of input `k` (see `withInput(_:_:)`).
  public func withInput<R>(at k: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R)
    rethrows -> R
  {
    try body(inputBuffers[k])
  }

  /// Direct read access to the raw bytes of output `k` after `run()`.
  public func withOutput<R>(at k: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try body(UnsafeRawBufferPointer(outputBuffers[k]))
  }

  /// Writes `tensor` into the buffer of input `k`, converting each element once to the
  /// buffer's dtype. The shape was checked by the caller (`bind` or `setInput`).
  fileprivate func write(_ tensor: Tensor, at k: Int) {
    let type = compiled.inputs[k].type
    precondition(
      tensor.scalars.count == type.count,
      "'\(compiled.inputs[k].name)' gets \(tensor.scalars.count) elements for \(type)")
    switch type.dtype {
    case .f32:
      let p = inputBuffers[k].bindMemory(to: Float.self)
      for (i, v) in tensor.scalars.enumerated() { p[i] = Float(v) }
    case .f64:
      let p = inputBuffers[k].bindMemory(to: Double.self)
      for (i, v) in tensor.scalars.enumerated() { p[i] = v }
    case .i32:
      let p = inputBuffers[k].bindMemory(to: Int32.self)
      for (i, v) in tensor.scalars.enumerated() { p[i] = Int32(type.dtype.round(v)) }
    case .i64:
      let p = inputBuffers[k].bindMemory(to: Int64.self)
      for (i, v) in tensor.scalars.enumerated() { p[i] = Int64(type.dtype.round(v)) }
    }
  }

  /// The tensor in `buffer`, converting each element once to `Double` (an f32 value is
  /// exact in a double, so the tensor does not round it again).
  private func read(_ type: TensorType, _ buffer: UnsafeMutableRawBufferPointer) -> Tensor {
    let scalars: [Double] =
      switch type.dtype {
      case .f32: buffer.bindMemory(to: Float.self).prefix(type.count).map(Double.init)
      case .f64: Array(buffer.bindMemory(to: Double.self).prefix(type.count))
      case .i32: buffer.bindMemory(to: Int32.self).prefix(type.count).map(Double.init)
      case .i64: buffer.bindMemory(to: Int64.self).prefix(type.count).map(Double.init)
      }
    return Tensor(type.dtype, shape: type.shape, exactly: scalars)
  }
}

/// The parallel-for handed to `gc_entry`: splits `[0, n)` into one contiguous range per
/// thread (the thread count travels in the context pointer) and waits for all of them.
/// Kernels only come here when their outer iterations write disjoint elements.
private let splitAcrossThreads: ParallelFor = { context, kernel, buffers, n in
  guard let kernel else { return }
  let chunks = Int(min(Int64(max(1, Int(bitPattern: context))), n))
  if chunks <= 1 {
    kernel(buffers, 0, n)
    return
  }
  let table = UInt(bitPattern: buffers)  // an address, so the closure captures no pointer
  DispatchQueue.concurrentPerform(iterations: chunks) { c in
    let lo = n * Int64(c) / Int64(chunks)
    let hi = n * Int64(c + 1) / Int64(chunks)
    kernel(UnsafePointer(bitPattern: table), lo, hi)
  }
}

extension TensorType {
  /// Bytes of a dense buffer of this type.
  var byteCount: Int { count * dtype.byteSize }
}

/// The compiled code a graph's calls use, swappable once while calls run.
///
/// The entry address is an atomic word, so a call reads either the old or the new code,
/// never a torn value, and never waits for a swap. Every module that was ever installed
/// stays alive as long as the slot (a call may still be running the old code).
final class CodeSlot: @unchecked Sendable {
  private let address: Atomic<UInt>
  private let state: Mutex<(modules: [any LoadedCode], backend: Backend, warnings: [String])>
  /// Entered by a background build while it runs.
  let pending = DispatchGroup()

  init(_ code: any LoadedCode, _ backend: Backend) {
    address = Atomic(UInt(bitPattern: unsafeBitCast(code.entry, to: UnsafeRawPointer.self)))
    state = Mutex(([code], backend, []))
  }

  /// The entry function calls should use now.
  var entry: EntryFunction {
    let raw = UnsafeRawPointer(bitPattern: address.load(ordering: .acquiring))
    return unsafeBitCast(raw, to: EntryFunction.self)
  }

  var backend: Backend { state.withLock { $0.backend } }
  var warnings: [String] { state.withLock { $0.warnings } }

  /// Installs new code: later calls use it; calls already running finish on the old code.
  func install(_ code: any LoadedCode, _ backend: Backend) {
    state.withLock {
      $0.modules.append(code)
      $0.backend = backend
    }
    let raw = UInt(bitPattern: unsafeBitCast(code.entry, to: UnsafeRawPointer.self))
    address.store(raw, ordering: .releasing)
  }

  /// Records a warning for the caller (`CompiledGraph.warnings`); the library prints nothing.
  func warn(_ message: String) {
    state.withLock { $0.warnings.append(message) }
  }
}

import CCodegen
import Foundation
import GraphIR
import Synchronization

/// A graph compiled to machine code, ready to call.
///
/// `run` is the convenient API (tensors in, tensors out). For repeated calls without
/// allocation, make an `ExecutionContext` once, write inputs into its buffers and call
/// `ExecutionContext.run()`. A `CompiledGraph` is immutable and can be shared between
/// threads; each thread uses its own context (a context is not itself thread-safe).
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
  public let paramDefaults: [String: Tensor]

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
    var defaults: [String: Tensor] = [:]
    for input in program.inputs where input.isParam {
      let initializer = graph.initializers[input.name] ?? .fill(0)
      defaults[input.name] = initializer.values(input.type, seed: options.seed, name: input.name)
    }
    paramDefaults = defaults
  }

  /// In tiered mode, blocks until the background cc build has finished (successfully or
  /// not); otherwise returns at once. Calls never need this: it is for tests and benchmarks.
  public func waitForBackgroundCompile() {
    code.pending.wait()
  }

  /// Runs the graph. Every input must be given (the error lists all missing names); params
  /// not given take their starting values. Shapes must match the declarations; values are
  /// rounded to the declared dtype.
  public func run(_ values: [String: Tensor]) throws -> [String: Tensor] {
    let known = Set(inputs.map(\.name))
    let unknown = values.keys.filter { !known.contains($0) }.sorted()
    if !unknown.isEmpty { throw CompileError.unknownInputs(unknown) }
    let missing = inputs.filter { !$0.isParam && values[$0.name] == nil }.map(\.name)
    if !missing.isEmpty { throw CompileError.missingInputs(missing) }
    for input in inputs {
      if let given = values[input.name], given.shape != input.type.shape {
        throw CompileError.wrongShape(name: input.name, expected: input.type, got: given.shape)
      }
    }
    let context = try makeContext()
    for (name, tensor) in values { try context.setInput(name, tensor) }
    context.run()
    var result: [String: Tensor] = [:]
    for (k, output) in outputs.enumerated() { result[output.name] = context.output(at: k) }
    return result
  }

  /// A set of buffers (inputs preset to zero, params to their starting values, outputs and
  /// arena) for calling the kernels repeatedly without allocating. Throws
  /// `CompileError.tooLarge` before allocating more memory than the machine has.
  public func makeContext() throws -> ExecutionContext {
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
    for input in inputs where input.isParam {
      if let value = paramDefaults[input.name] { try context.setInput(input.name, value) }
    }
    return context
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
  public func run() {
    let threads = compiled.threads
    let entry = compiled.code.entry
    if threads > 1 {
      entry(
        inputPointers, outputPointers, arena.baseAddress, splitAcrossThreads,
        UnsafeMutableRawPointer(bitPattern: threads))
    } else {
      entry(inputPointers, outputPointers, arena.baseAddress, nil, nil)
    }
  }

  /// Copies a tensor into the buffer of input or param `name` (rounding to its dtype).
  public func setInput(_ name: String, _ tensor: Tensor) throws {
    guard let k = compiled.inputs.firstIndex(where: { $0.name == name }) else {
      throw CompileError.unknownInputs([name])
    }
    let type = compiled.inputs[k].type
    guard tensor.shape == type.shape else {
      throw CompileError.wrongShape(name: name, expected: type, got: tensor.shape)
    }
    write(tensor.scalars, type.dtype, inputBuffers[k])
  }

  /// Output `k` as a tensor (a copy).
  public func output(at k: Int) -> Tensor {
    let type = compiled.outputs[k].type
    return Tensor(
      type.dtype, shape: type.shape, scalars: read(type.dtype, type.count, outputBuffers[k]))
  }

  /// The output named `name` as a tensor, or nil.
  public func output(_ name: String) -> Tensor? {
    compiled.outputs.firstIndex { $0.name == name }.map(output(at:))
  }

  /// The current value of input or param `name` (a copy), e.g. parameters a training step
  /// keeps in its buffers.
  public func input(_ name: String) throws -> Tensor {
    guard let k = compiled.inputs.firstIndex(where: { $0.name == name }) else {
      throw CompileError.unknownInputs([name])
    }
    let type = compiled.inputs[k].type
    return Tensor(
      type.dtype, shape: type.shape, scalars: read(type.dtype, type.count, inputBuffers[k]))
  }

  /// Direct access to the raw bytes of input `name` (dense row-major `Float` or `Double`,
  /// as declared), e.g. to write a batch in place.
  public func withInput<R>(_ name: String, _ body: (UnsafeMutableRawBufferPointer) throws -> R)
    throws -> R
  {
    guard let k = compiled.inputs.firstIndex(where: { $0.name == name }) else {
      throw CompileError.unknownInputs([name])
    }
    return try body(inputBuffers[k])
  }

  /// Direct read access to the raw bytes of output `k` after `run()`.
  public func withOutput<R>(at k: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try body(UnsafeRawBufferPointer(outputBuffers[k]))
  }

  private func write(_ values: [Double], _ dtype: DType, _ buffer: UnsafeMutableRawBufferPointer) {
    switch dtype {
    case .f32:
      let p = buffer.bindMemory(to: Float.self)
      for (i, v) in values.enumerated() { p[i] = Float(v) }
    case .f64:
      let p = buffer.bindMemory(to: Double.self)
      for (i, v) in values.enumerated() { p[i] = v }
    }
  }

  private func read(_ dtype: DType, _ count: Int, _ buffer: UnsafeMutableRawBufferPointer)
    -> [Double]
  {
    switch dtype {
    case .f32: buffer.bindMemory(to: Float.self).prefix(count).map(Double.init)
    case .f64: Array(buffer.bindMemory(to: Double.self).prefix(count))
    }
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

import ArgumentParser
import GraphIR

/// Which C compiler turns the generated code into a callable function.
enum Backend: String, ExpressibleByArgument, CaseIterable {
  /// TinyCC, in-process: compiles in milliseconds.
  case tcc
  /// The system C compiler with optimisation: slower to compile, faster to run.
  case cc
}

/// How `run`, `check` and `bench` execute a graph.
struct ExecutionOptions {
  var backend: Backend = .tcc
  /// Worker threads; nil lets the runtime choose.
  var threads: Int? = nil
}

/// Runs `graph` on `inputs` (every input and param, already checked against its declared
/// type) and returns its outputs by name.
///
/// For now this is the reference interpreter; it is the one place the command line runs a
/// graph, so switching to compiled kernels changes only this function.
func execute(_ graph: Graph, inputs: [String: Tensor], options: ExecutionOptions) throws -> [String:
  Tensor]
{
  do {
    return try Interpreter.run(graph, inputs)
  } catch let failure as Interpreter.Failure {
    throw CommandError(failure.description)
  }
}

import Foundation
import GraphData
import GraphIR
import GraphLanguage

/// What to do about an input that `--set` does not give.
enum MissingInputs {
  /// Fail, listing every missing input (`run`).
  case fail
  /// Seeded random values of the declared type (`check`, `bench`; see `randomInput`).
  case random
  /// Leave them out: the caller supplies them some other way (`train` binds data files).
  case leave
}

/// The values of `file`'s inputs and params: from `--set NAME=VALUE` where given, other
/// inputs as `missing` says. Params not given are left out: they take their starting
/// values where the graph runs (see `addParamStartingValues` for a caller that needs them).
///
/// Throws one error listing every input that has no value, and errors for a `--set` that
/// names nothing in the file, is given twice, or has the wrong shape. These are the checks
/// of the user's values, located in the file; `CompiledGraph.bind` finds nothing more.
func bindArguments(
  _ file: GraphFile, settings: [String], seed: UInt64, missing: MissingInputs = .fail
) throws -> [String: Tensor] {
  do {
    try MemoryBudget.check(file.declarations.map { ($0.name, $0.type) })
  } catch let error as GraphError {
    guard case .exceedsMemory(let name, _, _, _) = error,
      let declaration = file.declarations.first(where: { $0.name == name })
    else { throw error }
    throw CommandError("\(error)", in: file, at: declaration.position)
  }
  var given = try readSettings(file, settings)
  let unset = file.declarations.filter { $0.kind == .input && given[$0.name] == nil }
  switch missing {
  case .fail:
    if let first = unset.first {
      let names = unset.map { "'\($0.name)'" }.joined(separator: ", ")
      throw CommandError(
        "missing value for input\(unset.count == 1 ? "" : "s") \(names) "
          + "(give each with --set NAME=VALUE)",
        in: file, at: first.position)
    }
  case .random:
    for declaration in unset {
      given[declaration.name] = randomInput(declaration, seed: seed)
    }
  case .leave:
    break
  }
  return given
}

/// Adds the starting value (its initialiser under `seed`) of every param of `file` that
/// `values` does not give: the same values a compiled graph starts from, for a caller that
/// needs them by name (the gradient check evaluates other graphs at this point).
func addParamStartingValues(_ file: GraphFile, to values: inout [String: Tensor], seed: UInt64) {
  for id in file.graph.arguments where values[file.graph.argumentName(id)] == nil {
    guard case .param(let name) = file.graph[id].op else { continue }
    values[name] = file.graph.initializer(ofParam: id).values(
      file.graph[id].type, seed: seed, name: name)
  }
}

/// A seeded random value for an input nobody gave: uniform in [0.5, 1.5) in the declared
/// type, deterministic for (seed, name).
///
/// Positive and away from 0 so that `log`, `sqrt` and division are defined and kinks of
/// `relu`, `abs` and `max` at 0 are not hit; use `--set` to probe anywhere else.
func randomInput(_ declaration: Declaration, seed: UInt64) -> Tensor {
  Initializer.uniform(low: 0.5, high: 1.5).values(
    declaration.type, seed: seed, name: declaration.name)
}

/// The `--set` values, checked against the file's declarations.
func readSettings(_ file: GraphFile, _ settings: [String]) throws -> [String: Tensor] {
  var given: [String: Tensor] = [:]
  for setting in settings {
    guard let equals = setting.firstIndex(of: "="), equals != setting.startIndex else {
      throw CommandError("--set expects NAME=VALUE, got '\(setting)'")
    }
    let name = String(setting[..<equals])
    let text = String(setting[setting.index(after: equals)...])
    guard let declaration = file.declaration(named: name) else {
      let known = file.declarations.map(\.name).joined(separator: ", ")
      throw CommandError(
        "--set \(name): \(file.fileName) has no input or param named '\(name)'"
          + (known.isEmpty ? "" : " (it has: \(known))"))
    }
    guard given[name] == nil else { throw CommandError("--set \(name) is given more than once") }
    let value: TensorValue
    do {
      value = try readValue(text)
    } catch let error as ValueError {
      throw CommandError("--set \(name): \(error.message)")
    }
    try checkKind(value, of: name, declaration.type, text)
    // A single number fills a tensor input of any shape.
    if value.shape.isEmpty, let number = value.scalars.first {
      given[name] = Tensor(filling: number, declaration.type)
      continue
    }
    guard value.shape == declaration.type.shape else {
      throw CommandError(
        "--set \(name): '\(name)' is \(declaration.type), got a value of shape "
          + "[\(value.shape.map(String.init).joined(separator: ", "))]",
        in: file, at: declaration.position)
    }
    given[name] = Tensor(declaration.type.dtype, shape: value.shape, scalars: value.scalars)
  }
  return given
}

/// Checks that a value's elements fit the declared dtype: a `.npy` file's integer or float
/// kind must be the declaration's, and an integer declaration takes whole numbers only.
private func checkKind(_ value: TensorValue, of name: String, _ type: TensorType, _ text: String)
  throws
{
  let declared = type.dtype.isInteger ? "integers" : "floats"
  if let stored = value.dtype, stored.isInteger != type.dtype.isInteger {
    let held = stored.isInteger ? "integers" : "floats"
    throw CommandError(
      "--set \(name): '\(name)' is \(type), so it takes \(declared), but \(text.dropFirst()) "
        + "holds \(held); convert the file or declare '\(name)' as "
        + (stored.isInteger ? "i64" : "f64"))
  }
  guard type.dtype.isInteger else { return }
  let limit = type.dtype == .i32 ? 0x1p31 : 0x1p53
  if let bad = value.scalars.first(where: { $0.rounded() != $0 || !($0.magnitude < limit) }) {
    throw CommandError(
      "--set \(name): '\(name)' is \(type), so it takes whole numbers "
        + "(\(type.dtype == .i32 ? "below 2^31" : "below 2^53") in magnitude), got \(formatNumber(bad))"
    )
  }
}

/// The value of `--set NAME=TEXT`: a number, a JSON array, or `@PATH` to a `.npy` or
/// `.json` file.
func readValue(_ text: String) throws -> TensorValue {
  guard text.hasPrefix("@") else { return try TensorValue(parsingJSON: text) }
  let path = String(text.dropFirst())
  guard let data = FileManager.default.contents(atPath: path) else {
    throw ValueError("cannot read '\(path)'")
  }
  if path.hasSuffix(".npy") {
    do {
      let tensor = try NPY.decode([UInt8](data), file: path)
      return TensorValue(shape: tensor.shape, scalars: tensor.scalars, dtype: tensor.dtype)
    } catch let error as DataError {
      throw ValueError("'\(path)': \(error.message)")
    }
  }
  if path.hasSuffix(".json") {
    guard let json = String(validating: data, as: UTF8.self) else {
      throw ValueError("'\(path)' is not UTF-8 text")
    }
    return try TensorValue(parsingJSON: json)
  }
  throw ValueError("'\(path)' should be a .npy or .json file")
}

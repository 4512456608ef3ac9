import Foundation
import GraphData
import GraphIR
import GraphLanguage

/// The examples `train` reads: one tensor per `--data NAME=PATH`, first axis = example,
/// each checked against the input it binds and converted to that input's dtype.
struct TrainingData {
  /// Example tensors by input name.
  var tensors: [String: Tensor]
  /// Examples per step: the declared first dimension of every data input.
  var batchSize: Int
  /// Examples in every tensor.
  var count: Int

  /// Reads and checks every `--data NAME=PATH` of `file`; `batch` is `--batch` if given.
  init(_ file: GraphFile, specs: [String], batch: Int?) throws {
    var tensors: [String: Tensor] = [:]
    var firstBound: (name: String, path: String, count: Int)?
    var batchSize: (name: String, type: TensorType)?
    for spec in specs {
      guard let equals = spec.firstIndex(of: "="), equals != spec.startIndex,
        spec.index(after: equals) != spec.endIndex
      else { throw CommandError("--data expects NAME=PATH, got '\(spec)'") }
      let name = String(spec[..<equals])
      let path = String(spec[spec.index(after: equals)...])
      let inputs = file.declarations.filter { $0.kind == .input }
      guard let declaration = inputs.first(where: { $0.name == name }) else {
        let known = inputs.map(\.name).joined(separator: ", ")
        throw CommandError(
          "--data \(name): \(file.fileName) has no input named '\(name)'"
            + (known.isEmpty ? "" : " (inputs: \(known))"))
      }
      guard tensors[name] == nil else {
        throw CommandError("--data \(name) is given more than once")
      }
      let type = declaration.type
      guard let declaredBatch = type.shape.first else {
        throw CommandError(
          "--data \(name): '\(name)' is \(type), a scalar; an input bound to data needs a "
            + "first (batch) dimension, e.g. input \(name): \(type.dtype)[16]",
          in: file, at: declaration.position)
      }
      if let batchSize, batchSize.type.shape.first != declaredBatch {
        throw CommandError(
          "--data \(name): '\(name)' is \(type) but '\(batchSize.name)' is \(batchSize.type): "
            + "data inputs must share their first (batch) dimension",
          in: file, at: declaration.position)
      }
      batchSize = batchSize ?? (name, type)
      let tensor = try exampleTensor(readDataFile(path), for: name, type, path: path)
      let count = tensor.shape[0]
      if let firstBound, firstBound.count != count {
        throw CommandError(
          "--data \(name) (\(path)) has \(count) examples but --data \(firstBound.name) "
            + "(\(firstBound.path)) has \(firstBound.count)")
      }
      firstBound = firstBound ?? (name, path, count)
      tensors[name] = tensor
    }
    guard let batchSize, let firstBound else {
      throw CommandError("train needs at least one --data NAME=PATH")
    }
    let size = batchSize.type.shape[0]
    if let batch, batch != size {
      throw CommandError(
        "--batch \(batch): '\(batchSize.name)' is declared \(batchSize.type), so the batch "
          + "size is its first dimension, \(size) (change the declaration to train with "
          + "another batch size)")
    }
    guard firstBound.count >= size else {
      throw CommandError(
        "--data \(firstBound.name) (\(firstBound.path)) has \(firstBound.count) examples, "
          + "fewer than one batch of \(size)")
    }
    self.tensors = tensors
    self.batchSize = size
    self.count = firstBound.count
  }
}

/// `tensor` as examples for the input `name` of `type` (converted to its dtype), or an
/// error naming the file with the expected and actual example shapes. A CSV column
/// `[N, 1]` also binds an input of shape `[B]`.
private func exampleTensor(_ tensor: Tensor, for name: String, _ type: TensorType, path: String)
  throws -> Tensor
{
  let expected = Array(type.shape.dropFirst())
  var shape = tensor.shape
  if shape.count == 2, shape[1] == 1, expected.isEmpty { shape = [shape[0]] }
  guard let count = shape.first, Array(shape.dropFirst()) == expected else {
    func list(_ dims: [Int]) -> String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
    throw DataError(
      path,
      "--data \(name): '\(name)' is \(type), so each example should have shape "
        + "\(list(expected)); the data has shape \(list(tensor.shape)), examples of shape "
        + "\(list(Array(tensor.shape.dropFirst())))")
  }
  return Tensor(type.dtype, shape: [count] + expected, scalars: tensor.scalars)
}

/// A data file by its extension: `.npy`; `.csv` (optionally `PATH.csv#COLUMNS`, a
/// comma-separated list of header names or 0-based indices); IDX, gzipped or not
/// (`.gz`, `.idx`, or a name containing `ubyte`).
func readDataFile(_ spec: String) throws -> Tensor {
  if let hash = spec.lastIndex(of: "#"), spec[..<hash].hasSuffix(".csv") {
    let path = String(spec[..<hash])
    return try csvColumns(path, String(spec[spec.index(after: hash)...]))
  }
  let path = spec
  guard FileManager.default.fileExists(atPath: path) else {
    throw DataError(path, "cannot read the file: no such file")
  }
  if path.hasSuffix(".npy") { return try NPY.read(path) }
  if path.hasSuffix(".csv") { return try CSV.read(path) }
  if path.hasSuffix(".gz") || path.hasSuffix(".idx") || path.contains("ubyte") {
    let (shape, values) = try IDX.read(path)
    return Tensor(.f64, shape: shape, scalars: values)
  }
  throw DataError(path, "unknown data format: use .npy, .csv, or IDX (.gz, .idx, *ubyte*)")
}

/// Columns of a CSV file chosen by header name or 0-based index (`x`, `0`, `x,y`).
private func csvColumns(_ path: String, _ list: String) throws -> Tensor {
  guard FileManager.default.fileExists(atPath: path) else {
    throw DataError(path, "cannot read the file: no such file")
  }
  let table = try CSV.read(path)
  let header = csvHeader(path)
  let width = table.shape.count == 2 ? table.shape[1] : 0
  var columns: [Int] = []
  for item in list.split(separator: ",", omittingEmptySubsequences: false) {
    let key = item.trimmingCharacters(in: .whitespaces)
    if let k = header.firstIndex(of: key) {
      columns.append(k)
    } else if let k = Int(key), k >= 0, k < width {
      columns.append(k)
    } else {
      let names = header.isEmpty ? "indices 0..<\(width)" : header.joined(separator: ", ")
      throw DataError(path, "no column '\(key)' (columns: \(names))")
    }
  }
  let rows = table.shape.first ?? 0
  var scalars: [Double] = []
  scalars.reserveCapacity(rows * columns.count)
  for row in 0..<rows {
    for column in columns { scalars.append(table.scalars[row * width + column]) }
  }
  return Tensor(.f64, shape: [rows, columns.count], scalars: scalars)
}

/// The names in the first line of a CSV file when it is a header (not all numbers).
private func csvHeader(_ path: String) -> [String] {
  guard let data = FileManager.default.contents(atPath: path),
    let text = String(data: data, encoding: .utf8),
    let first = text.split(separator: "\n").first
  else { return [] }
  let fields = first.split(separator: ",", omittingEmptySubsequences: false).map {
    $0.trimmingCharacters(in: .whitespacesAndNewlines)
  }
  return fields.allSatisfy { Double($0) == nil } ? fields : []
}

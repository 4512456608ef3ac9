import Foundation
import GraphIR

/// Comma-separated numbers: one row per line, an optional header line of names.
public enum CSV {
  /// Reads a CSV file of numbers as an f64 `[rows, columns]` tensor. Every row must have the
  /// same number of fields; a field that is not a number is an error naming line and column.
  public static func read(_ path: String) throws -> Tensor {
    guard let data = FileManager.default.contents(atPath: path),
      let text = String(data: data, encoding: .utf8)
    else { throw DataError(path, "cannot read the file as UTF-8 text") }
    return try decode(text, file: path)
  }

  /// Parses CSV text (see `read`).
  public static func decode(_ text: String, file: String) throws -> Tensor {
    var rows: [[Double]] = []
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    {
      let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
      if trimmed.isEmpty { continue }
      let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false)
        .map { $0.trimmingCharacters(in: .whitespaces) }
      let values = fields.map { Double($0) }
      if rows.isEmpty && number == 0 && values.allSatisfy({ $0 == nil }) { continue }  // header
      var row: [Double] = []
      for (column, value) in values.enumerated() {
        guard let value else {
          throw DataError(
            file, "line \(number + 1), field \(column + 1): '\(fields[column])' is not a number")
        }
        row.append(value)
      }
      if let first = rows.first, first.count != row.count {
        throw DataError(file, "line \(number + 1): \(row.count) fields, expected \(first.count)")
      }
      rows.append(row)
    }
    let columns = rows.first?.count ?? 0
    return Tensor(.f64, shape: [rows.count, columns], scalars: rows.flatMap { $0 })
  }
}

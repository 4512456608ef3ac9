import ArgumentParser
import Foundation
import GraphLanguage
import GraphTraining
import TrainingOptions

/// Ends a data-parallel run on every rank: gathers every rank's parameter checksum (which
/// deterministic mode requires to agree) and finalises MPI. Returns the fields `--json`
/// adds: ranks, reduction, param_checksums, exchange_seconds_per_step.
func finishRanks(_ trainer: Trainer, _ communicator: MPICommunicator) throws -> [String] {
  let checksums = try trainer.parameterChecksums()
  let diverged = checksums.indices.filter { checksums[$0] != checksums[0] }
  if communicator.mode == .deterministic, !diverged.isEmpty {
    throw DistributedError.divergedParameters(ranks: diverged)
  }
  MPICommunicator.finalize()
  let perStep = communicator.exchangeSeconds / Double(max(communicator.exchanges, 1))
  let hex = checksums.map { "\"" + String($0, radix: 16) + "\"" }
  return [
    "\"ranks\": \(communicator.size)", "\"reduction\": \"\(communicator.mode.rawValue)\"",
    "\"param_checksums\": [" + hex.joined(separator: ", ") + "]",
    "\"exchange_seconds_per_step\": \(perStep)",
  ]
}

/// `file` parsed again with every input in `names` declared with a first dimension of
/// `batch` instead: a rank's share of the global batch the file declares.
func withBatch(_ batch: Int, for names: Set<String>, in file: GraphFile, path: String) throws
  -> GraphFile
{
  guard let data = FileManager.default.contents(atPath: path) else {
    throw CommandError("cannot read '\(path)' again")
  }
  var lines = String(decoding: data, as: UTF8.self).split(
    separator: "\n", omittingEmptySubsequences: false
  ).map { Array($0.utf8) }
  for declaration in file.declarations where names.contains(declaration.name) {
    let line = declaration.position.line - 1
    guard lines.indices.contains(line) else { continue }
    var text = lines[line]
    // The first dimension follows the first '[' after the name: `input x: f32[128, 784]`.
    let from = min(max(declaration.position.column - 1, 0), text.count)
    guard let open = text[from...].firstIndex(of: UInt8(ascii: "[")) else {
      throw CommandError(
        "cannot find the batch dimension of '\(declaration.name)'", in: file,
        at: declaration.position)
    }
    var end = open + 1
    while end < text.count, text[end] != UInt8(ascii: ","), text[end] != UInt8(ascii: "]") {
      end += 1
    }
    text.replaceSubrange((open + 1)..<end, with: Array(String(batch).utf8))
    lines[line] = text
  }
  let rewritten = lines.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
  do {
    return try GraphParser.parseFile(bytes: Array(rewritten.utf8), fileName: file.fileName)
  } catch {
    throw CommandError(
      "with --distributed each rank declares its data inputs with its share of the batch "
        + "(\(batch) rows), but \(file.fileName) does not compile so: \(error)")
  }
}

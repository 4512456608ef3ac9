import Foundation

/// A text as character tokens (one per byte), with its vocabulary, split by position into a
/// training part and a validation part that follows it.
public struct CharacterCorpus: Sendable, Equatable {
  /// The distinct bytes of the text, ascending; token `k` stands for `vocabulary[k]`.
  public let vocabulary: [UInt8]
  /// The first part of the text, as tokens.
  public let training: [Int]
  /// The rest of the text, as tokens.
  public let validation: [Int]

  /// Splits `text` so that the last `validationFraction` of it (rounded down) validates.
  public init(text: [UInt8], validationFraction: Double) {
    vocabulary = Array(Set(text)).sorted()
    var token = [Int](repeating: -1, count: 256)
    for (k, byte) in vocabulary.enumerated() { token[Int(byte)] = k }
    let tokens = text.map { token[Int($0)] }
    let held = Int(Double(text.count) * min(max(validationFraction, 0), 1))
    training = Array(tokens[..<(text.count - held)])
    validation = Array(tokens[(text.count - held)...])
  }

  /// The text of tokens.
  public func decode(_ tokens: [Int]) -> String {
    String(decoding: tokens.map { vocabulary[$0] }, as: UTF8.self)
  }

  /// The validation loss, in nats per character, of the best model that ignores context:
  /// each character's frequency in the training part, `-mean(log(count[c] / n))` over the
  /// validation characters. A character never seen in training makes it infinite.
  public var unigramLoss: Double {
    var counts = [Int](repeating: 0, count: vocabulary.count)
    for t in training { counts[t] += 1 }
    let n = Double(training.count)
    let total = validation.reduce(0.0) { $0 - Foundation.log(Double(counts[$1]) / n) }
    return total / Double(max(validation.count, 1))
  }
}

/// The English plain-text fortune files of Debian's `fortunes` package.
public enum Fortunes {
  /// Where the `fortunes` package installs its files.
  public static let directory = "/usr/share/games/fortunes"

  /// The text of every plain-text file in `directory` (names without a dot; the `.dat`
  /// indexes and `.u8` copies are skipped, and so is `ascii-art`, which is pictures), in name
  /// order, each cleaned by `clean`.
  public static func read(directory: String = directory) throws -> [UInt8] {
    let names: [String]
    do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
      throw DataError(directory, "cannot list the fortune files (install Debian's `fortunes`)")
    }
    var text: [UInt8] = []
    for name in names.sorted() where !name.contains(".") && name != "ascii-art" {
      let path = "\(directory)/\(name)"
      guard let data = FileManager.default.contents(atPath: path) else {
        throw DataError(path, "cannot read the file")
      }
      text += clean([UInt8](data))
    }
    guard !text.isEmpty else { throw DataError(directory, "no fortune files found") }
    return text
  }

  /// A fortune file as plain text: each `%` line (the separator between fortunes) becomes an
  /// empty line; an overstrike (a character, backspace, another) keeps the last character;
  /// only newlines, tabs and printable ASCII remain (the few UTF-8 letters are dropped).
  public static func clean(_ bytes: [UInt8]) -> [UInt8] {
    var result: [UInt8] = []
    var line: [UInt8] = []
    for byte in bytes + (bytes.last == 10 ? [] : [10]) {
      switch byte {
      case 10:
        result += line == [UInt8(ascii: "%")] ? [10] : line + [10]
        line = []
      case 8: _ = line.popLast()
      case 9, 32...126: line.append(byte)
      default: break
      }
    }
    return bytes.isEmpty ? [] : result
  }
}

import ArgumentParser
import Foundation
import GraphCompiler
import GraphData
import GraphTraining

/// The options and the reporting the character-level language-model examples
/// (`char-transformer`, `char-rnn`) share: where the text is and how it splits, how the
/// step compiles, how sampling goes, and how the result is printed.
public struct CharacterModelOptions: ParsableArguments {
  @Option(help: "Worker threads for the kernels.") public var threads = 1
  @Option(
    help:
      "tcc (in-process TinyCC), cc (system compiler) or tiered (TinyCC at once, the system compiler's code once it is built)."
  )
  public var backend = "tiered"
  @Option(help: "Seed for initial weights, batches and sampling.") public var seed: UInt64 = 0
  @Option(help: "Folder with the fortune files.") public var data = Fortunes.directory
  @Option(help: "Fraction of the text, at its end, that validates.") public var validation = 0.1
  @Option(help: "Characters to sample at the end.") public var sample = 400
  @Option(help: "Sampling temperature.") public var temperature = 0.8
  @Flag(help: "Print one JSON object with the results as the last line.") public var json = false

  public init() {}

  public func validate() throws {
    guard threads >= 1, sample >= 0 else {
      throw ValidationError("--threads must be at least 1 and --sample at least 0")
    }
    guard temperature > 0 else { throw ValidationError("--temperature must be a positive number") }
    guard validation > 0, validation < 1 else {
      throw ValidationError("--validation must be in (0, 1)")
    }
    guard Backend(rawValue: backend) != nil else {
      throw ValidationError("unknown backend '\(backend)' (expected tcc, cc or tiered)")
    }
  }

  /// How the step, the loss and the sampler compile.
  public var compileOptions: CompileOptions {
    CompileOptions(backend: Backend(rawValue: backend) ?? .tiered, threads: threads, seed: seed)
  }

  /// The fortunes text split by position, after one line about it through `log`.
  public func corpus(log: (String) -> Void) throws -> CharacterCorpus {
    let corpus = CharacterCorpus(
      text: try Fortunes.read(directory: data), validationFraction: validation)
    log(
      "\(corpus.training.count) training and \(corpus.validation.count) validation characters, "
        + "\(corpus.vocabulary.count) distinct; unigram loss "
        + String(format: "%.4f", corpus.unigramLoss))
    return corpus
  }

  /// Prints the run's result: with `--json` one line holding `result` and the figures
  /// every example reports, else one sentence.
  public func report(
    _ result: [String: Any], valLoss: Double, unigram: Double, steps: Int, started: Date,
    trainingSeconds: Double
  ) throws {
    let stepsPerSecond = Double(steps) / max(trainingSeconds, 1e-9)
    let seconds = Date().timeIntervalSince(started)
    guard json else {
      print(
        String(
          format: "val loss %.4f = %.3f x unigram loss %.4f after %d steps (%.0f s, %.2f steps/s)",
          valLoss, valLoss / unigram, unigram, steps, seconds, stepsPerSecond))
      return
    }
    let common: [String: Any] = [
      "val_loss": valLoss, "unigram_loss": unigram, "ratio": valLoss / unigram, "steps": steps,
      "seconds": seconds, "training_seconds": trainingSeconds, "steps_per_second": stepsPerSecond,
      "backend": backend, "threads": threads,
    ]
    try printJSONLine(result.merging(common) { _, shared in shared })
  }
}

import Foundation
import GraphData
import Testing

/// The character corpus: cleaning fortune files, the split by position, the unigram loss.
@Suite struct CharacterCorpusTests {
  @Test func cleaningDropsSeparatorsOverstrikesAndNonASCII() {
    // "_\bA" is an overstruck A; 0xC3 0xA9 is UTF-8 for é; no final newline.
    let raw: [UInt8] =
      Array("One.\n%\nTwo\tlines\n".utf8) + [UInt8(ascii: "_"), 8, 65]
      + [0xC3, 0xA9] + Array("!\n%\n".utf8)
    #expect(Fortunes.clean(raw) == Array("One.\n\nTwo\tlines\nA!\n\n".utf8))
    #expect(Fortunes.clean(Array("%\nlast".utf8)) == Array("\nlast\n".utf8))
    #expect(Fortunes.clean([]) == [])
  }

  @Test func splitsByPositionWithASortedVocabulary() {
    let corpus = CharacterCorpus(text: Array("abacabad\nc".utf8), validationFraction: 0.3)
    #expect(corpus.vocabulary == Array("\nabcd".utf8))
    // a=1 b=2 c=3 d=4 newline=0; 30% of 10 characters validate: the last 3.
    #expect(corpus.training == [1, 2, 1, 3, 1, 2, 1])
    #expect(corpus.validation == [4, 0, 3])
    #expect(corpus.decode(corpus.training) == "abacaba")
  }

  @Test func unigramLossIsTheValidationCrossEntropyOfTrainingFrequencies() {
    // Training "aaab": p(a) = 3/4, p(b) = 1/4. Validation "ab": -(log 3/4 + log 1/4) / 2.
    let corpus = CharacterCorpus(text: Array("aaabab".utf8), validationFraction: 1.0 / 3)
    #expect(corpus.training.count == 4)
    let expected = -(log(0.75) + log(0.25)) / 2
    #expect(abs(corpus.unigramLoss - expected) < 1e-15)
    // A character only in validation has probability zero: the loss is infinite.
    let unseen = CharacterCorpus(text: Array("aaaz".utf8), validationFraction: 0.25)
    #expect(unseen.unigramLoss == .infinity)
  }
}

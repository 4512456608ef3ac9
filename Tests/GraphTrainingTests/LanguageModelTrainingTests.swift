import GraphTraining
import Testing

/// The schedule and the draw at hand-computed points.
@Suite struct LanguageModelTrainingTests {
  @Test func scheduleWarmsUpThenDecaysToATenth() {
    // Warm-up over 105 / 20 = 5 steps, then 100 steps of decay.
    let schedule = WarmupCosineSchedule(peak: 2, steps: 105)
    #expect(schedule(1) == 0.4)
    #expect(schedule(5) == 2)
    #expect(abs(schedule(105) - 0.2) < 1e-12)
    // Half-way through the decay the cosine term is 1/2: 2 * (0.1 + 0.9 / 2).
    #expect(abs(schedule(55) - 1.1) < 1e-12)
  }

  @Test func drawPicksByRunningSum() {
    let weights: ArraySlice<Double> = [1, 0, 3]  // total 4: [0, 1/4) picks 0, the rest 2
    #expect(drawIndex(weights, unit: 0) == 0)
    #expect(drawIndex(weights, unit: 0.24) == 0)
    #expect(drawIndex(weights, unit: 0.25) == 2)
    #expect(drawIndex(weights, unit: 0.999) == 2)
  }
}

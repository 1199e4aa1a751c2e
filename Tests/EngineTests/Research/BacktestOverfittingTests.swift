import ATSEngine
import Foundation
import Testing

struct BacktestOverfittingTests {
    @Test func matchesAnIndependentComputationSplitBySplit() {
        for case_ in OverfittingReference.shared.pbo {
            let result = BacktestOverfitting.probability(returns: case_.returns, blocks: case_.blocks)
            #expect(result.combinations == 70 && result.logits.count == case_.logits.count)
            #expect(result.probability == case_.probability)
            // Split order differs (bit masks against itertools), so compare the sorted logits.
            for (a, b) in zip(result.logits.sorted(), case_.logits.sorted()) { #expect(close(a, b, 1e-9)) }
        }
    }

    /// Per-period returns: noise around zero, and `drift` added to trial `skilled`.
    func returns(seed: UInt64, trials: Int, periods: Int, skilled: Int? = nil, drift: Double = 0) -> [[Double]] {
        var rng = SeededRandom(seed: seed)
        return (0..<trials).map { t in
            (0..<periods).map { _ in
                // Sum of uniforms: near-normal noise with standard deviation 0.01.
                let u = (0..<12).reduce(0.0) { s, _ in s + Double(rng.next() % 1_000_000) / 1_000_000 } - 6
                return u * 0.01 + (t == skilled ? drift : 0)
            }
        }
    }

    @Test func aRealEdgeAmongNoiseIsNotOverfit() {
        let result = BacktestOverfitting.probability(
            returns: returns(seed: 1, trials: 40, periods: 1600, skilled: 7, drift: 0.003), blocks: 16)
        #expect(result.combinations == 12_870)
        #expect(result.probability < 0.01, "\(result.probability)")
        #expect(!result.isSuspect)
    }

    @Test func pureNoiseIsOverfitHalfTheTimeOnAverage() {
        // A single draw varies widely: the mean over seeds is what the statistic promises.
        let draws = (1...24).map { seed in
            BacktestOverfitting.probability(returns: returns(seed: UInt64(seed), trials: 20, periods: 480), blocks: 8)
                .probability
        }
        let mean = draws.reduce(0, +) / Double(draws.count)
        #expect(abs(mean - 0.5) < 0.12, "mean PBO of noise \(mean) over \(draws)")
    }

    @Test func tiesTakeTheirMeanRank() {
        // Identical trials: the in-sample best (the first) ties every other out of sample, so its
        // rank is the middle one, ω = 1/2, λ = 0, which counts as overfit.
        let same = [Double](repeating: 0, count: 64).enumerated().map { i, _ in i % 3 == 0 ? 0.01 : -0.004 }
        let result = BacktestOverfitting.probability(returns: [same, same, same], blocks: 4)
        #expect(result.combinations == 6)
        #expect(result.logits.allSatisfy { abs($0) < 1e-12 })
        #expect(result.probability == 1)
    }
}

import Foundation
import Testing

@testable import ATSEngine

/// The exact sum: Python's `math.fsum` results, and the same bits in any order.
struct ExactSumTests {
    static func sum(_ values: [Double]) -> Double {
        var s = ExactSum()
        for v in values { s.add(v) }
        return s.value
    }

    @Test func itIsTheExactSumRoundedOnce() {
        // math.fsum([0.1] * 10) == 1.0 (a plain loop gives 0.9999999999999999).
        #expect(Self.sum([Double](repeating: 0.1, count: 10)) == 1.0)
        #expect([Double](repeating: 0.1, count: 10).reduce(0, +) != 1.0)
        // math.fsum([1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]) == 1e-100
        #expect(Self.sum([1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]) == 1e-100)
        // math.fsum([2.0**53, -0.5, -2.0**-54]) == 2.0**53 - 1.0 (a half-way case settled below)
        #expect(Self.sum([0x1p53, -0.5, -0x1p-54]) == 0x1p53 - 1)
        #expect(Self.sum([]) == 0)
    }

    @Test func anyOrderGivesTheSameBits() {
        var rng = SeededRandom(seed: 9)
        let values = (0..<10_000).map { _ in
            Double.random(in: -1...1, using: &rng) * pow(10, Double(Int.random(in: -8...8, using: &rng)))
        }
        let a = Self.sum(values)
        for _ in 0..<5 { #expect(Self.sum(values.shuffled(using: &rng)) == a) }
    }
}

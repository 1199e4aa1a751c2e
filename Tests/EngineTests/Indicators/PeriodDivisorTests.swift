import ATSEngine
import Foundation
import Testing

/// `PeriodDivisor.divide` against the division it replaces.
struct PeriodDivisorTests {
    @Test("the same bits as a / n for averages in the normal range, any magnitude and period")
    func equalsTheDivision() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<400_000 {
            let n = Int(random.next() % 5_000) + 1
            let divisor = PeriodDivisor(n)
            // A random sign and significand with an exponent from 2^-1000 to 2^1000.
            let exponent = UInt64(23 + random.next() % 2_000)
            let bits = (random.next() & 0x800F_FFFF_FFFF_FFFF) | (exponent << 52)
            let a = Double(bitPattern: bits)
            let quotient = divisor.divide(a)
            #expect(quotient.bitPattern == (a / Double(n)).bitPattern, "\(a) / \(n)")
            if quotient.bitPattern != (a / Double(n)).bitPattern { return }
        }
    }

    @Test("prices: sums of up to 5,000 values with two decimals, and exact multiples")
    func pricesAndMultiples() {
        var random = SeededRandom(seed: 11)
        for n in 1...5_000 {
            let divisor = PeriodDivisor(n)
            let price = Double(random.next() % 10_000_000) / 100
            var sum = 0.0
            for _ in 0..<min(n, 64) { sum += price }
            #expect(divisor.divide(sum).bitPattern == (sum / Double(n)).bitPattern, "\(sum) / \(n)")
            // n·c is exact for these c, so the average of a constant window is the constant: a
            // multiply by RN(1/n) alone would give 0.9999999999999999 for c = 1, n = 49.
            for c in [1.0, 3.0, 100.25, 12_345.5] {
                #expect(divisor.divide(c * Double(n)) == c, "\(c) × \(n)")
            }
        }
    }

    @Test("zero, and the edges named in its documentation")
    func edges() {
        let thirty = PeriodDivisor(30)
        #expect(thirty.divide(0).bitPattern == 0)
        #expect(thirty.divide(.greatestFiniteMagnitude) == .greatestFiniteMagnitude / 30)
        #expect(thirty.divide(.nan).isNaN)
        #expect(thirty.divide(.infinity).isNaN, "documented: an infinite sum gives NaN")
    }

    @Test("an SMA of a constant series is that constant, batch and incremental")
    func smaOfAConstantIsTheConstant() {
        for n in [1, 2, 3, 7, 30, 49, 98, 200] {
            let values = [Double](repeating: 1, count: 500)
            let batch = values.withUnsafeBufferPointer { SMA.batch($0, period: n) }
            var sma = SMA(period: n)
            for (i, x) in values.enumerated() {
                let v = sma.update(x)
                if i >= n - 1 {
                    #expect(v == 1 && batch[i] == 1, "period \(n) bar \(i)")
                }
            }
        }
    }
}

/// Deterministic synthetic one-minute bars: a geometric random walk with regime changes in drift
/// and volatility, so trend and mean-reversion strategies both trade. Same seed, same bars, on
/// every machine (integer PRNG, no platform maths in the generator).
public struct SyntheticBars: Sendable {
    public var seed: UInt64
    public var start: Int64
    public var interval: Int64
    public var startPrice: Double

    public init(seed: UInt64 = 42, start: Int64 = 1_640_995_200_000, interval: Int64 = 60_000, startPrice: Double = 100)
    {
        self.seed = seed
        self.start = start
        self.interval = interval
        self.startPrice = startPrice
    }

    /// SplitMix64.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in [0, 1).
        mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }
        /// Approximately standard normal: the sum of 12 uniforms minus 6 (exact arithmetic, portable).
        mutating func normal() -> Double {
            var s = 0.0
            for _ in 0..<12 { s += uniform() }
            return s - 6
        }
    }

    public func generate(count: Int) -> BarSeries {
        var g = Generator(state: seed)
        var bars = BarSeries(capacity: count)
        var price = startPrice
        var drift = 0.0
        var vol = 0.0008
        for i in 0..<count {
            if i % 1440 == 0 {
                drift = (g.uniform() - 0.5) * 0.00001
                vol = 0.0004 + g.uniform() * 0.0012
            }
            let open = price
            var high = open
            var low = open
            var p = open
            for _ in 0..<4 {
                p *= 1 + drift / 4 + vol / 2 * g.normal()
                high = max(high, p)
                low = min(low, p)
            }
            let close = p
            high *= 1 + g.uniform() * vol / 4
            low *= 1 - g.uniform() * vol / 4
            let volume = ((10 + g.uniform() * 90) * 1000).rounded() / 1000
            let buyShare = 0.3 + g.uniform() * 0.4
            let buy = (volume * buyShare * 1000).rounded() / 1000
            bars.append(
                Bar(
                    time: start + Int64(i) * interval, open: round8(open), high: round8(high), low: round8(low),
                    close: round8(close), volume: volume, buyVolume: buy,
                    sellVolume: ((volume - buy) * 1000).rounded() / 1000))
            price = close
        }
        return bars
    }

    /// Rounds to 8 decimals so prices print and parse back exactly.
    private func round8(_ x: Double) -> Double { (x * 1e8).rounded() / 1e8 }
}

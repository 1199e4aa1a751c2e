/// Stochastic oscillator (TA-Lib's `STOCH` with SMA smoothing): fast %K over `fastk` bars, slow %K
/// = SMA(`slowk`) of fast %K, slow %D = SMA(`slowd`) of slow %K. Both outputs start together.
public struct Stochastic: Indicator {
    @usableFromInline var highs: MonotonicWindow
    @usableFromInline var lows: MonotonicWindow
    @usableFromInline var slowK: SMA
    @usableFromInline var slowD: SMA
    @usableFromInline var _k: Double = .nan
    @usableFromInline var _d: Double = .nan
    public var k: Double { _k }
    public var d: Double { _d }

    public static let descriptor = IndicatorDescriptor(
        name: "stoch", summary: "Stochastic oscillator (slow %K, %D).",
        parameters: [
            .int("fastk", default: 5, range: 1...100_000, "bars of the high-low range"),
            .int("slowk", default: 3, range: 1...100_000, "SMA of fast %K"),
            .int("slowd", default: 3, range: 1...100_000, "SMA of slow %K"),
        ], outputs: ["slowk", "slowd"])

    public init(fastK: Int = 5, slowK: Int = 3, slowD: Int = 3) {
        highs = MonotonicWindow(period: fastK, max: true)
        lows = MonotonicWindow(period: fastK, max: false)
        self.slowK = SMA(period: slowK)
        self.slowD = SMA(period: slowD)
    }

    public init(parameters p: Parameters) throws(SpecError) {
        self.init(fastK: p.int("fastk"), slowK: p.int("slowk"), slowD: p.int("slowd"))
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        let h = highs.update(bar.high)
        guard let l = lows.update(bar.low), let h else { return false }
        let range = h - l
        let diff = range / 100.0  // TA-Lib's arithmetic, for identical rounding
        let fastK = diff != 0 ? (bar.close - l) / diff : 0
        guard let sk = slowK.update(fastK), let sd = slowD.update(sk) else { return false }
        _k = sk
        _d = sd
        return true
    }

    public func output(_ k: Int) -> Double { k == 0 ? _k : _d }
}

/// Stochastic oscillator (TA-Lib's `STOCH` with SMA smoothing): fast %K over `fastk` bars, slow %K
/// = SMA(`slowk`) of fast %K, slow %D = SMA(`slowd`) of slow %K. Both outputs start together.
public struct Stochastic: Indicator {
    @usableFromInline var fastK: FastStochastic
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
        self.fastK = FastStochastic(period: fastK)
        self.slowK = SMA(period: slowK)
        self.slowD = SMA(period: slowD)
    }

    public init(parameters p: Parameters) throws(SpecError) {
        self.init(fastK: p.int("fastk"), slowK: p.int("slowk"), slowD: p.int("slowd"))
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool {
        guard let k = fastK.update(high: bar.high, low: bar.low, close: bar.close), let sk = slowK.update(k),
            let sd = slowD.update(sk)
        else { return false }
        _k = sk
        _d = sd
        return true
    }

    public func output(_ k: Int) -> Double { k == 0 ? _k : _d }
}

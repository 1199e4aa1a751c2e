/// Stochastic RSI, as TA-Lib's `STOCHRSI` with SMA smoothing: the RSI over `period` bars, then the
/// fast stochastic of that RSI: %K = where the RSI sits in its range over `fastk` bars (0–100),
/// %D = SMA(`fastd`) of %K. Both outputs start together, at index `period + fastk + fastd − 2`.
public struct StochasticRSI: Indicator {
    @usableFromInline var rsi: RSI
    @usableFromInline var fastK: FastStochastic
    @usableFromInline var fastD: SMA
    @usableFromInline var _k: Double = .nan
    @usableFromInline var _d: Double = .nan
    public var k: Double { _k }
    public var d: Double { _d }

    public static let descriptor = IndicatorDescriptor(
        name: "stochrsi", summary: "Stochastic RSI (fast %K and %D of the RSI).",
        parameters: [
            .period(14, min: 2),
            .int("fastk", default: 5, range: 1...100_000, "bars of the RSI's high-low range"),
            .int("fastd", default: 3, range: 1...100_000, "SMA of %K"),
        ], outputs: ["fastk", "fastd"])

    public init(period: Int = 14, fastK: Int = 5, fastD: Int = 3) {
        rsi = RSI(period: period)
        self.fastK = FastStochastic(period: fastK)
        self.fastD = SMA(period: fastD)
    }

    public init(parameters p: Parameters) throws(SpecError) {
        self.init(period: p.int("period"), fastK: p.int("fastk"), fastD: p.int("fastd"))
    }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Bool {
        guard let r = rsi.update(x), let k = fastK.update(high: r, low: r, close: r), let d = fastD.update(k)
        else { return false }
        _k = k
        _d = d
        return true
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) }

    public func output(_ k: Int) -> Double { k == 0 ? _k : _d }
}

/// Wilder's directional movement system as TA-Lib computes it: smoothed +DM, −DM and true range
/// (first sums over `period − 1` bars, then `x − x/n + new`), giving +DI and −DI from index
/// `period`, and ADX (the smoothed DX) from `2·period − 1`.
public struct DirectionalMovement: Sendable, Codable {
    public let period: Int
    @usableFromInline var previousHigh: Double = .nan
    @usableFromInline var previousLow: Double = .nan
    @usableFromInline var previousClose: Double = .nan
    @usableFromInline var plusDM: Double = 0
    @usableFromInline var minusDM: Double = 0
    @usableFromInline var trueRange: Double = 0
    @usableFromInline var steps: Int = 0
    @usableFromInline var dxSum: Double = 0
    @usableFromInline var dxCount: Int = 0
    public private(set) var plusDI: Double = .nan
    public private(set) var minusDI: Double = .nan
    public private(set) var adx: Double = .nan

    public init(period: Int) {
        precondition(period >= 2)
        self.period = period
    }

    /// Feeds one bar. Returns (DI defined, ADX defined).
    public mutating func update(high: Double, low: Double, close: Double) -> (di: Bool, adx: Bool) {
        guard !previousHigh.isNaN else {
            previousHigh = high
            previousLow = low
            previousClose = close
            return (false, false)
        }
        let diffPlus = high - previousHigh
        let diffMinus = previousLow - low
        var tr = high - low
        tr = max(tr, abs(high - previousClose), abs(low - previousClose))
        previousHigh = high
        previousLow = low
        previousClose = close
        steps += 1
        let n = Double(period)
        let plus = diffPlus > 0 && diffPlus > diffMinus ? diffPlus : 0
        let minus = diffMinus > 0 && diffPlus < diffMinus ? diffMinus : 0
        if steps < period {
            plusDM += plus
            minusDM += minus
            trueRange += tr
            return (false, false)
        }
        plusDM = plusDM - plusDM / n + plus
        minusDM = minusDM - minusDM / n + minus
        trueRange = trueRange - trueRange / n + tr
        guard !RSI.isZero(trueRange) else {
            plusDI = 0
            minusDI = 0
            return (true, !adx.isNaN)
        }
        plusDI = 100.0 * (plusDM / trueRange)
        minusDI = 100.0 * (minusDM / trueRange)
        let sum = minusDI + plusDI
        let dx: Double? = RSI.isZero(sum) ? nil : 100.0 * (abs(minusDI - plusDI) / sum)
        if dxCount < period {
            if let dx { dxSum += dx }
            dxCount += 1
            if dxCount == period { adx = dxSum / n }
        } else if let dx {
            adx = ((adx * (n - 1)) + dx) / n
        }
        return (true, dxCount >= period)
    }
}

/// +DI (TA-Lib's `PLUS_DI`).
public struct PlusDI: Indicator {
    @usableFromInline var dm: DirectionalMovement
    public static let descriptor = IndicatorDescriptor(
        name: "plus_di", summary: "Plus directional indicator.", parameters: [.period(14, min: 2)], outputs: ["plus_di"]
    )
    public init(parameters p: Parameters) throws(SpecError) { dm = DirectionalMovement(period: p.int("period")) }
    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { dm.update(high: bar.high, low: bar.low, close: bar.close).di }
    public func output(_ k: Int) -> Double { dm.plusDI }
}

/// −DI (TA-Lib's `MINUS_DI`).
public struct MinusDI: Indicator {
    @usableFromInline var dm: DirectionalMovement
    public static let descriptor = IndicatorDescriptor(
        name: "minus_di", summary: "Minus directional indicator.", parameters: [.period(14, min: 2)],
        outputs: ["minus_di"])
    public init(parameters p: Parameters) throws(SpecError) { dm = DirectionalMovement(period: p.int("period")) }
    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { dm.update(high: bar.high, low: bar.low, close: bar.close).di }
    public func output(_ k: Int) -> Double { dm.minusDI }
}

/// Average directional index (TA-Lib's `ADX`).
public struct ADX: Indicator {
    @usableFromInline var dm: DirectionalMovement
    public static let descriptor = IndicatorDescriptor(
        name: "adx", summary: "Average directional index.", parameters: [.period(14, min: 2)], outputs: ["adx"])
    public init(parameters p: Parameters) throws(SpecError) { dm = DirectionalMovement(period: p.int("period")) }
    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { dm.update(high: bar.high, low: bar.low, close: bar.close).adx }
    public func output(_ k: Int) -> Double { dm.adx }
}

/// Moving average convergence/divergence, as TA-Lib's `MACD`: both EMAs start at index `slow − 1`,
/// each seeded with the SMA of its own last `period` closes there (TA-Lib's quirk for the fast
/// one); the signal is an EMA of the MACD line; all three outputs start at `slow + signal − 2`.
public struct MACD: Indicator {
    public let fastPeriod: Int
    public let slowPeriod: Int
    @usableFromInline var fast: EMA
    @usableFromInline var slow: EMA
    @usableFromInline var signalEMA: EMA
    @usableFromInline var seen: Int = 0
    @usableFromInline var fastSeed: Double = 0
    @usableFromInline var slowSeed: Double = 0
    @usableFromInline var _macd: Double = .nan
    public var macd: Double { _macd }
    @usableFromInline var _signal: Double = .nan
    public var signal: Double { _signal }
    @usableFromInline var _histogram: Double = .nan
    public var histogram: Double { _histogram }

    public static let descriptor = IndicatorDescriptor(
        name: "macd", summary: "MACD line, signal and histogram.",
        parameters: [
            .int("fast", default: 12, range: 2...100_000, "fast EMA period"),
            .int("slow", default: 26, range: 2...100_000, "slow EMA period"),
            .int("signal", default: 9, range: 1...100_000, "signal EMA period"),
        ], outputs: ["macd", "signal", "hist"])

    public init(fast: Int = 12, slow: Int = 26, signal: Int = 9) {
        let (f, s) = fast <= slow ? (fast, slow) : (slow, fast)
        fastPeriod = f
        slowPeriod = s
        self.fast = EMA(period: f)
        self.slow = EMA(period: s)
        signalEMA = EMA(period: signal)
    }

    public init(parameters p: Parameters) throws(SpecError) {
        self.init(fast: p.int("fast"), slow: p.int("slow"), signal: p.int("signal"))
    }

    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Bool {
        if seen < slowPeriod {
            seen += 1
            slowSeed += x
            if seen > slowPeriod - fastPeriod { fastSeed += x }
            guard seen == slowPeriod else { return false }
            fast.seed(fastSeed / Double(fastPeriod))
            slow.seed(slowSeed / Double(slowPeriod))
        } else {
            fast.update(x)
            slow.update(x)
        }
        let line = fast.value - slow.value
        guard let sig = signalEMA.update(line) else { return false }
        _macd = line
        _signal = sig
        _histogram = line - sig
        return true
    }

    @inlinable
    public var isReady: Bool { signalEMA.isReady }

    /// Feeds `x[from..<end]` while `quiet` holds for each (MACD line, signal) pair it takes (the
    /// values before it has one are fed too), and returns the first index not fed: the one whose
    /// pair `quiet` refused, the state left as before it. The same arithmetic as ``update(_:)``
    /// value by value: while warming up, update by update on a copy; once the signal is ready,
    /// the three averages in locals (``Strategy/quietBars(_:from:to:positionSign:)``). `quiet` is
    /// asked once for each pair, in order, so it may keep state of its own.
    @inlinable
    public mutating func feed(
        _ x: UnsafePointer<Double>, from: Int, to end: Int, while quiet: (Double, Double) -> Bool
    ) -> Int {
        var i = from
        while i < end && !signalEMA.isReady {
            var next = self
            if next.update(x[i]) {
                guard quiet(next._macd, next._signal) else { return i }
            }
            self = next
            i += 1
        }
        guard i < end else { return i }
        // Ready: each update is EMA.update's step on the fast and slow averages, their
        // difference, and the same step on the signal.
        let (kFast, kSlow, kSignal) = (fast.k, slow.k, signalEMA.k)
        var (f, s, line, sig) = (fast._value, slow._value, _macd, signalEMA._value)
        let start = i
        while i < end {
            let v = x[i]
            let f2 = (v * kFast).addingProduct(f, 1 - kFast)
            let s2 = (v * kSlow).addingProduct(s, 1 - kSlow)
            let line2 = f2 - s2
            let sig2 = (line2 * kSignal).addingProduct(sig, 1 - kSignal)
            guard quiet(line2, sig2) else { break }
            (f, s, line, sig) = (f2, s2, line2, sig2)
            i += 1
        }
        if i > start {
            fast._value = f
            slow._value = s
            signalEMA._value = sig
            _macd = line
            _signal = sig
            _histogram = line - sig
        }
        return i
    }

    @discardableResult
    public mutating func update(_ bar: Bar) -> Bool { update(bar.close) }

    public func output(_ k: Int) -> Double { k == 0 ? macd : k == 1 ? signal : histogram }

    /// A kernel with the incremental update's exact arithmetic (the two EMAs seeded as TA-Lib does,
    /// then the signal EMA), state in locals; the tests hold it to the incremental form bit for bit.
    public static func batch(_ bars: BarSeries, parameters p: Parameters) throws(SpecError) -> [[Double]] {
        let shape = try MACD(parameters: p)  // normalises fast/slow order
        let fast = shape.fastPeriod
        let slow = shape.slowPeriod
        let signal = shape.signalEMA.period
        let kFast = 2.0 / Double(fast + 1)
        let kSlow = 2.0 / Double(slow + 1)
        let kSignal = 2.0 / Double(signal + 1)
        return bars.close.withUnsafeBufferPointer { c in
            BatchColumns.make(3, c.count) { out in
                let macdOut = out[0]
                let signalOut = out[1]
                let histogramOut = out[2]
                var fastValue = 0.0
                var slowValue = 0.0
                var fastSeed = 0.0
                var slowSeed = 0.0
                var signalValue = 0.0
                var signalSeed = 0.0
                var signalSeen = 0
                var first = c.count
                for i in 0..<c.count {
                    let x = c[i]
                    if i < slow {
                        slowSeed += x
                        if i + 1 > slow - fast { fastSeed += x }
                        guard i + 1 == slow else { continue }
                        fastValue = fastSeed / Double(fast)
                        slowValue = slowSeed / Double(slow)
                    } else {
                        fastValue = (x * kFast).addingProduct(fastValue, 1 - kFast)
                        slowValue = (x * kSlow).addingProduct(slowValue, 1 - kSlow)
                    }
                    let line = fastValue - slowValue
                    if signalSeen < signal {
                        signalSeen += 1
                        signalSeed += line
                        guard signalSeen == signal else { continue }
                        signalValue = signalSeed / Double(signal)
                        first = i
                    } else {
                        signalValue = (line * kSignal).addingProduct(signalValue, 1 - kSignal)
                    }
                    macdOut[i] = line
                    signalOut[i] = signalValue
                    histogramOut[i] = line - signalValue
                }
                return first
            }
        }
    }
}

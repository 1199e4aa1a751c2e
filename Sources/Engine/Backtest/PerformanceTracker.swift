/// Accumulates, bar by bar and fill by fill, everything the statistics need, in O(1) per bar and
/// with no allocation: equity returns (Welford mean and variance, downside deviation), drawdown
/// and its duration, exposure, and round trips (win rate, profit factor, expectancy).
///
/// Its state is part of a checkpoint, so a resumed run ends with the same statistics.
public struct PerformanceTracker: Sendable, Hashable, Codable {
    public var initialEquity: Double
    public var bars: Int = 0
    public var equity: Double
    public var peakEquity: Double
    public var maxDrawdown: Double = 0
    /// Bars since the last equity peak, and the longest such stretch.
    public var barsSincePeak: Int = 0
    public var maxDrawdownBars: Int = 0
    /// The time of the first bar below the current peak, and the longest stretch below a peak in
    /// milliseconds (first bar below → the bar that recovers). Nil in checkpoints written before
    /// they were kept: durations then come from bars × interval.
    public var drawdownStart: Int64? = 0
    public var maxDrawdownMs: Int64? = 0
    public var returnsCount: Int = 0
    /// Σr and Σr² of bar returns (returns are small, so the variance from sums keeps its digits).
    public var returnsSum: Double = 0
    public var returnsSquares: Double = 0
    public var downsideSquares: Double = 0
    public var exposedBars: Int = 0

    public var firstTime: Int64 = 0
    public var lastTime: Int64 = 0
    public var firstPrice: Double = .nan
    public var lastPrice: Double = .nan

    public var orders: Int = 0
    public var fills: Int = 0
    public var totalFees: Double = 0
    public var tradedNotional: Double = 0

    /// Open round trip: signed quantity, average entry price, fees allocated to it.
    public var openQuantity: Double = 0
    public var openPrice: Double = 0
    public var openFees: Double = 0
    public var openBar: Int = 0
    /// P&L realised by partial exits of the open round trip, added to it when it closes.
    public var partialPnL: Double = 0
    public var roundTrips: Int = 0
    public var wins: Int = 0
    public var grossProfit: Double = 0
    public var grossLoss: Double = 0

    public init(initialEquity: Double) {
        self.initialEquity = initialEquity
        equity = initialEquity
        peakEquity = initialEquity
    }

    /// Values a starting base balance at the first bar's close: it is part of the initial equity
    /// (returns, CAGR and Sharpe are measured from it) and an open long round trip, so selling it
    /// closes one. Nothing changes for a run that starts with quote only.
    public mutating func start(baseBalance: Double, price: Double) {
        guard bars == 0, baseBalance != 0, price.isFinite, price > 0 else { return }
        initialEquity += baseBalance * price
        equity = initialEquity
        peakEquity = initialEquity
        if openQuantity == 0 {
            openQuantity = baseBalance
            openPrice = price
            openBar = 0
        }
    }

    /// Counts `count` bars from `first` to `last` (times and prices for the span's statistics);
    /// ``record(equity:position:time:)`` marks each of them to market. A backtest's loop counts its
    /// bars once, after it, as nothing reads the count meanwhile.
    @inlinable @inline(__always)
    public mutating func recordBars(count: Int, first: Bar, last: Bar) {
        guard count > 0 else { return }
        if bars == 0 {
            firstTime = first.time
            firstPrice = first.close
        }
        bars += count
        returnsCount += count
        lastTime = last.time
        lastPrice = last.close
    }

    /// Marks the account to market at a bar's close (`time`), the bar being counted by
    /// ``recordBars(count:first:last:)``; returns the bar's return (0 when the equity did not
    /// change or was 0).
    @inlinable @inline(__always) @discardableResult
    public mutating func record(equity newEquity: Double, position: Double, time: Int64) -> Double {
        if position != 0 { exposedBars += 1 }
        return mark(equity: newEquity, time: time)
    }

    /// ``record(equity:position:time:)`` but for the exposure, which the caller counts (a run of
    /// bars with one position counts them at once).
    @inlinable @inline(__always)
    public mutating func mark(equity newEquity: Double, time: Int64) -> Double {
        // Unchanged equity (flat, most bars of most strategies) is a zero return, and adding +0 to
        // the sums changes no bit (they are never −0: `x − 1` is +0 when x is 1): skip it all.
        var r = 0.0
        if newEquity != equity && equity != 0 {
            r = newEquity / equity - 1
            returnsSum += r
            returnsSquares += r * r
            // Branch-free (the sign of a return is a coin toss for the predictor); adding +0
            // for a gain changes no bit.
            let down = min(r, 0)
            downsideSquares += down * down
        }
        equity = newEquity
        if newEquity >= peakEquity {
            // Recovered: the stretch below the peak lasted from its first bar to this one.
            if barsSincePeak > 0, let start = drawdownStart, let longest = maxDrawdownMs, time - start > longest {
                maxDrawdownMs = time - start
            }
            peakEquity = newEquity
            barsSincePeak = 0
        } else {
            barsSincePeak += 1
            if barsSincePeak == 1 && drawdownStart != nil { drawdownStart = time }
            if barsSincePeak > maxDrawdownBars { maxDrawdownBars = barsSincePeak }
            // Divide only when this could be a new maximum drawdown.
            if newEquity < peakEquity * (1 - maxDrawdown) {
                let dd = 1 - newEquity / peakEquity
                if dd > maxDrawdown { maxDrawdown = dd }
            }
        }
        return r
    }

    /// `count` more bars at the equity of the last two marked (``mark(equity:time:)``), at once:
    /// after two marks at one equity the peak, the drawdown and the return are settled, and each
    /// further bar only adds to the stretch below a peak, if the account is in one.
    @inlinable
    public mutating func holdFlat(bars count: Int) {
        guard barsSincePeak > 0 else { return }
        barsSincePeak += count
        if barsSincePeak > maxDrawdownBars { maxDrawdownBars = barsSincePeak }
    }

    /// Books a fill into the round-trip accounting. A fill that crosses zero closes the trip and
    /// opens a new one with the rest. Positions move as the wallet's base balance does: a fee
    /// taken in base is not held (`fill.quantity − fee_base` bought, `fill.quantity + fee_base`
    /// sold), so a trip closes when the wallet is flat; `flat` is the venue's tolerance (half a
    /// quantity step).
    public mutating func record(fill: Fill, flat: Double = 1e-12) -> RoundTrip? {
        fills += 1
        let fee = fill.feeInQuote
        totalFees += fee
        tradedNotional += fill.price * fill.quantity
        // The wallet's own base change (`x − 0` is `x`, bit for bit, when no fee is in base).
        let signed = fill.side.sign * fill.quantity - fill.feeBase
        let size = abs(signed)
        if openQuantity == 0 || (openQuantity > 0) == (signed > 0) {
            // Opening or adding.
            let total = openQuantity + signed
            openPrice = (openPrice * abs(openQuantity) + fill.price * size) / abs(total)
            if openQuantity == 0 { openBar = fill.barIndex }
            openQuantity = total
            openFees += fee
            return nil
        }
        // Reducing, closing or reversing.
        let closing = min(abs(signed), abs(openQuantity))
        let closingFee = fee * closing / size
        let direction: Double = openQuantity > 0 ? 1 : -1
        let pnlBeforeFees = direction * (fill.price - openPrice) * closing
        let share = closing / abs(openQuantity)
        let tripFees = openFees * share + closingFee
        openFees -= openFees * share
        openQuantity -= direction * closing
        if abs(openQuantity) < flat { openQuantity = 0 }
        var trip: RoundTrip?
        if openQuantity == 0 {
            let pnl = pnlBeforeFees - tripFees + partialPnL
            partialPnL = 0
            trip = RoundTrip(
                side: direction > 0 ? .buy : .sell, entryBar: openBar, exitBar: fill.barIndex, entryPrice: openPrice,
                exitPrice: fill.price, quantity: closing, pnl: pnl, fees: tripFees)
            finishTrip(pnl: pnl)
            openFees = 0
        } else {
            partialPnL += pnlBeforeFees - tripFees
        }
        let rest = size - closing
        if rest > flat {
            openQuantity = fill.side.sign * rest
            openPrice = fill.price
            openFees = fee - closingFee
            openBar = fill.barIndex
        }
        return trip
    }

    private mutating func finishTrip(pnl total: Double) {
        roundTrips += 1
        if total > 0 {
            wins += 1
            grossProfit += total
        } else {
            grossLoss -= total
        }
    }
}

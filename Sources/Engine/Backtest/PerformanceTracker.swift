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

    /// Counts `count` bars from `first` to `last` (times and prices for the span's statistics);
    /// ``record(equity:position:)`` marks each of them to market. A backtest's loop counts its
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

    /// Marks the account to market at a bar's close, the bar being counted by
    /// ``recordBars(count:first:last:)``.
    @inlinable @inline(__always)
    public mutating func record(equity newEquity: Double, position: Double) {
        if position != 0 { exposedBars += 1 }
        // Unchanged equity (flat, most bars of most strategies) is a zero return, and adding +0 to
        // the sums changes no bit (they are never −0: `x − 1` is +0 when x is 1): skip it all.
        if newEquity != equity && equity != 0 {
            let r = newEquity / equity - 1
            returnsSum += r
            returnsSquares += r * r
            // Branch-free (the sign of a return is a coin toss for the predictor); adding +0
            // for a gain changes no bit.
            let down = min(r, 0)
            downsideSquares += down * down
        }
        equity = newEquity
        if newEquity >= peakEquity {
            peakEquity = newEquity
            barsSincePeak = 0
        } else {
            barsSincePeak += 1
            if barsSincePeak > maxDrawdownBars { maxDrawdownBars = barsSincePeak }
            // Divide only when this could be a new maximum drawdown.
            if newEquity < peakEquity * (1 - maxDrawdown) {
                let dd = 1 - newEquity / peakEquity
                if dd > maxDrawdown { maxDrawdown = dd }
            }
        }
    }

    /// Books a fill into the round-trip accounting. A fill that crosses zero closes the trip and
    /// opens a new one with the rest.
    public mutating func record(fill: Fill) -> RoundTrip? {
        fills += 1
        let fee = fill.feeInQuote
        totalFees += fee
        tradedNotional += fill.price * fill.quantity
        let signed = fill.side.sign * fill.quantity
        if openQuantity == 0 || (openQuantity > 0) == (signed > 0) {
            // Opening or adding.
            let total = openQuantity + signed
            openPrice = (openPrice * abs(openQuantity) + fill.price * fill.quantity) / abs(total)
            if openQuantity == 0 { openBar = fill.barIndex }
            openQuantity = total
            openFees += fee
            return nil
        }
        // Reducing, closing or reversing.
        let closing = min(abs(signed), abs(openQuantity))
        let closingFee = fee * closing / fill.quantity
        let direction: Double = openQuantity > 0 ? 1 : -1
        let pnlBeforeFees = direction * (fill.price - openPrice) * closing
        let share = closing / abs(openQuantity)
        let tripFees = openFees * share + closingFee
        openFees -= openFees * share
        openQuantity -= direction * closing
        if abs(openQuantity) < 1e-12 { openQuantity = 0 }
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
        let rest = abs(signed) - closing
        if rest > 1e-12 {
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

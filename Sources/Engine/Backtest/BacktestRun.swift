import CPlatform
import Foundation

/// The backtest loop for one strategy type. Per bar: match working orders, deliver fills, call the
/// strategy, deliver the fills it caused, mark to market. Specialised per strategy, it makes no
/// dynamic call and no allocation per bar.
public struct BacktestRun<S: Strategy>: BacktestSession {
    public var strategy: S
    public var exchange: SimulatedExchange
    public var wallet: Wallet { exchange.wallet }
    public var nextFillSeq: Int64 { exchange.state.nextSeq }
    public var tracker: PerformanceTracker
    public private(set) var cursor: Int
    public var recordTrades: Bool
    public var recordEquity: Bool
    /// Whether fills wait for ``takeFills()``; when false they are booked and dropped.
    public var keepFills: Bool
    /// With ``recordEquity``: whether ``plotValues`` are recorded too.
    public var recordPlots: Bool
    /// Whether each bar's return is recorded (``returns``).
    public var recordReturns = false
    public private(set) var trades: [RoundTrip] = []
    public private(set) var equityCurve: [Double] = []
    /// With ``recordReturns``: each bar's return, `equity / previous − 1` (0 when unchanged or
    /// from nothing), as the statistics take it (``PerformanceTracker/record(equity:position:time:)``).
    public private(set) var returns: [Double] = []
    /// With ``recordEquity`` and ``recordPlots``: the strategy's series (``Strategy/plots``), one
    /// value per bar each.
    public private(set) var plotValues: [[Double]] = []

    /// The series the strategy draws.
    public var plots: [PlotSeries] { S.plots }

    public func plotNow() -> [Double] { strategy.plotNow() }

    public mutating func takeReturns() -> [Double] {
        var out: [Double] = []
        swap(&out, &returns)
        return out
    }

    public init(
        strategy: S, exchange: SimulatedExchange, recordTrades: Bool = false, recordEquity: Bool = false,
        keepFills: Bool = true, recordPlots: Bool = false
    ) {
        self.strategy = strategy
        self.exchange = exchange
        self.exchange.keepFinished(S.finishedOrdersKept)
        tracker = PerformanceTracker(initialEquity: exchange.wallet.quote.total)
        cursor = 0
        self.recordTrades = recordTrades
        self.recordEquity = recordEquity
        self.keepFills = keepFills
        self.recordPlots = recordPlots
        // Only when recorded: a sweep makes a session per trial.
        if recordPlots { plotValues = .init(repeating: [], count: S.plots.count) }
    }

    /// Restores a run from ``checkpoint()``'s bytes; the exchange supplies instrument, policy and
    /// fee model, the checkpoint everything that changes.
    public init(
        restoring data: Data, exchange: SimulatedExchange, recordTrades: Bool = false, recordEquity: Bool = false,
        keepFills: Bool = true, recordPlots: Bool = false
    )
        throws
    {
        let c = try CheckpointCoding.decoder().decode(Checkpoint.self, from: data)
        guard c.version == Checkpoint.currentVersion else {
            throw CheckpointError.unsupportedVersion(c.version)
        }
        strategy = c.strategy
        self.exchange = SimulatedExchange(
            instrument: exchange.instrument, config: exchange.config, fees: exchange.fees, state: c.exchange)
        self.exchange.keepFinished(S.finishedOrdersKept)
        tracker = c.tracker
        cursor = c.cursor
        self.recordTrades = recordTrades
        self.recordEquity = recordEquity
        self.keepFills = keepFills
        self.recordPlots = recordPlots
        if recordPlots { plotValues = .init(repeating: [], count: S.plots.count) }
    }

    // Sessions are driven through `any BacktestSession`, whose witness is the generic (slow) body;
    // these entries give each built-in strategy its specialised loop. Custom strategies get the
    // generic one.
    @_specialize(exported:false,where S == SMACross)
    @_specialize(exported:false,where S == RSIReversion)
    @_specialize(exported:false,where S == MACDCross)
    @_specialize(exported:false,where S == BollingerBreakout)
    @_specialize(exported:false,where S == SimpleMA)
    @_specialize(exported:false,where S == SimpleRandom)
    @_specialize(exported:false,where S == GridStrategy)
    @_specialize(exported:false,where S == DCAStrategy)
    @_specialize(exported:false,where S == NoopStrategy)
    public mutating func run(_ bars: BarSeries, until end: Int) {
        let end = min(end, bars.count)
        guard cursor < end else { return }
        if recordEquity {
            // Room for this call's bars, growing at least twice over: a run made of many calls
            // (steps, bars handed over while a file parses, each a longer series than the last)
            // copies each curve a few times, not once a call. (Capped at the series' count, the
            // hand-over's calls, whose series end where the call does, grew exactly each time.)
            let room = max(end, 2 * equityCurve.capacity)
            if equityCurve.capacity < end { equityCurve.reserveCapacity(room) }
            if recordPlots {
                for k in plotValues.indices where plotValues[k].capacity < end { plotValues[k].reserveCapacity(room) }
            }
        }
        if keepFills { exchange.reserveFills(forBars: end - cursor) }
        if tracker.bars == 0 { tracker.start(baseBalance: exchange.wallet.base.total, price: bars.close[cursor]) }
        // From here to the end of the loop `strategy` is held exclusively and never copied.
        strategy.prepareForRun()
        guard recordReturns else {
            loop(bars, until: end, returnsFrom: nil)
            return
        }
        // Returns written in place, after those of earlier calls: an append per bar checked the
        // array's uniqueness with a call each time.
        let earlier = takeReturns()
        let added = end - cursor
        let all = [Double](unsafeUninitializedCapacity: earlier.count + added) { buffer, count in
            let base = buffer.baseAddress!
            for (i, r) in earlier.enumerated() { (base + i).initialize(to: r) }
            loop(bars, until: end, returnsFrom: base + earlier.count)
            count = earlier.count + added
        }
        returns = all
    }

    /// The loop over bars `cursor..<end`, each bar's return written from `returnSlots` on when
    /// given.
    @inline(__always)
    private mutating func loop(
        _ bars: BarSeries, until end: Int, returnsFrom returnSlots: UnsafeMutablePointer<Double>?
    ) {
        bars.withUnsafeColumns { columns in
            // The bars are counted once, after the loop (nothing reads the count during it).
            let start = cursor
            defer { tracker.recordBars(count: cursor - start, first: columns[start], last: columns[cursor - 1]) }
            while cursor < end {
                // Exchange and strategy each take the bar from the columns, the exchange only its
                // time and close unless orders are working: a whole bar built on the stack costs 16
                // memory operations per bar (and a store-forwarding stall when copied).
                if exchange.hasWorkingOrders {
                    // The columns only matching reads are read at the bars where orders work:
                    // where those are sparse, reads that miss the cache each time (a third of a
                    // 1M-bar run with fills at the next open). The next such bar is likely within
                    // a few lines: they are fetched at a bar whose working orders changed since the
                    // last (new orders: their bounds are not known yet). Orders resting bar after
                    // bar read the columns in order, which the processor fetches ahead by itself
                    // (fetching them too cost a grid a third).
                    if exchange.state.workingBounds == nil {
                        for ahead in 1...Self.linesAhead { columns.prefetchForMatching(at: cursor &+ 8 &* ahead) }
                    }
                    exchange.process(bar: columns[cursor], index: cursor)
                } else {
                    // Bars the strategy would not trade on, it takes ahead (``Strategy/quietBars``),
                    // and they are marked to market in a loop of their own. Not with a recorded
                    // curve (each bar's equity and plot values are appended by the general path).
                    if !recordEquity && !exchange.hasNewFills {
                        let quiet = strategy.quietBars(
                            columns, from: cursor, to: end, positionSign: exchange.positionSign)
                        precondition(quiet <= end, "quietBars took bars past the end of the run")
                        if quiet > cursor {
                            // The strategy stopped where it is likely to trade, its order matched
                            // the bar after: those columns are fetched while the taken bars are
                            // marked. (Not where it takes none: every bar of such a strategy.)
                            if quiet < end { columns.prefetchForMatching(at: quiet &+ 1) }
                            markQuiet(columns, until: quiet, returnsFrom: returnSlots.map { $0 + (cursor &- start) })
                            continue
                        }
                    }
                    exchange.moveTo(time: columns.time[cursor], close: columns.close[cursor], index: cursor)
                }
                afterProcess(columns[cursor], inRun: true, returnSlot: returnSlots.map { $0 + (cursor &- start) })
            }
        }
    }

    /// Marks bars `cursor..<end`, which the strategy took ahead without trading
    /// (``Strategy/quietBars(_:from:to:positionSign:)``), to market: what ``afterProcess(_:inRun:returnSlot:)``
    /// does for such a bar, the account unchanged throughout. The tracker is a local here, its sums
    /// in registers through the loop; the bars' returns go from `returnSlots` on when given.
    @inline(__always)
    private mutating func markQuiet(
        _ columns: BarPointers, until end: Int, returnsFrom returnSlots: UnsafeMutablePointer<Double>?
    ) {
        let wallet = exchange.wallet
        var marked = tracker
        // Flat, each bar's equity is the quote balance (`quote + 0 × close`) when every close is
        // finite: past the first two bars of such a stretch, marking changes nothing but the
        // count of bars below a peak (``PerformanceTracker/holdFlat(bars:)``), and the returns are
        // 0. (Not with a NaN balance, whose every bar's return is NaN: a finite one is asked.)
        var marking = end
        if wallet.base.total != 0 {
            marked.exposedBars += end - cursor
        } else if end - cursor > 2, wallet.quote.total.isFinite, Self.allFinite(columns.close, cursor, end) {
            marking = cursor + 2
        }
        if let returnSlots {
            for i in cursor..<marking {
                returnSlots[i &- cursor] = marked.mark(
                    equity: wallet.equity(at: columns.close[i]), time: columns.time[i])
            }
            (returnSlots + (marking &- cursor)).initialize(repeating: 0, count: end &- marking)
        } else {
            for i in cursor..<marking {
                _ = marked.mark(equity: wallet.equity(at: columns.close[i]), time: columns.time[i])
            }
        }
        if marking < end { marked.holdFlat(bars: end &- marking) }
        tracker = marked
        exchange.moveTo(time: columns.time[end - 1], close: columns.close[end - 1], index: end - 1)
        cursor = end
    }

    /// Whether `values[from..<end]` are all finite. (The standard library's `allSatisfy` over a
    /// rebased slice made 20,000 small trials 0.19 → 0.23 s with a closure, 0.83 s with the key
    /// path `\.isFinite`.)
    @inline(__always)
    static func allFinite(_ values: UnsafeBufferPointer<Double>, _ from: Int, _ end: Int) -> Bool {
        for i in from..<end where !values[i].isFinite { return false }
        return true
    }

    /// Lines of each matching column fetched at a bar where orders work.
    static var linesAhead: Int { 4 }

    @inline(__always)
    public mutating func step(_ bar: Bar) {
        if tracker.bars == 0 { tracker.start(baseBalance: exchange.wallet.base.total, price: bar.close) }
        exchange.process(bar: bar, index: cursor)
        tracker.recordBars(count: 1, first: bar, last: bar)
        afterProcess(bar, inRun: false, returnSlot: nil)
    }

    /// Everything after matching: fills, the strategy, marking to market, recording. The bar's
    /// return goes to `returnSlot` when given, else (with ``recordReturns``) onto ``returns``.
    @inline(__always)
    private mutating func afterProcess(_ bar: Bar, inRun: Bool, returnSlot: UnsafeMutablePointer<Double>?) {
        if exchange.hasNewFills { deliverFills() }
        if inRun { strategy.onBarInRun(bar, venue: &exchange) } else { strategy.onBar(bar, venue: &exchange) }
        if exchange.hasNewFills { deliverFills() }
        let equity = exchange.wallet.equity(at: bar.close)
        let r = tracker.record(equity: equity, position: exchange.wallet.base.total, time: bar.time)
        if let returnSlot {
            returnSlot.initialize(to: r)
        } else if recordReturns {
            returns.append(r)
        }
        if recordEquity {
            equityCurve.append(equity)
            if recordPlots { for k in plotValues.indices { plotValues[k].append(strategy.plot(k)) } }
        }
        cursor += 1
    }

    /// Books each new fill and shows it to the strategy (which may trade again: those fills are
    /// delivered in the same call). Kept fills stay in the exchange's buffer for ``takeFills()``.
    private mutating func deliverFills() {
        while exchange.hasNewFills {
            let fill = exchange.nextUndeliveredFill()
            let trip = tracker.record(fill: fill, flat: exchange.flatTolerance)
            if recordTrades, let trip { trades.append(trip) }
            strategy.onFill(fill, venue: &exchange)
        }
        if !keepFills { exchange.discardDeliveredFills() }
    }

    public mutating func replaceStrategy(parameters: Parameters) throws {
        strategy = try S(parameters: parameters)
    }

    public mutating func takeFills() -> [Fill] { keepFills ? exchange.takeAllFills() : [] }

    public func statistics(barInterval: Int64) -> BacktestStatistics {
        BacktestStatistics(
            tracker: tracker, orders: exchange.orderCount, rejectedOrders: exchange.state.rejectedOrders,
            barInterval: barInterval)
    }

    /// The run's state as ``CheckpointCoding/encoder()`` would write a ``Checkpoint``, byte for
    /// byte, but with the exchange's orders written straight into the buffer (``CheckpointWriter``:
    /// a paper job's full state in ~70 µs instead of ~520); the strategy and the tracker go through
    /// Foundation.
    public func checkpoint() throws -> Data {
        let state = exchange.state
        var w = CheckpointWriter(capacity: 2048 + 320 * (state.open.count + state.recentCount))
        w.raw("{\"cursor\":")
        w.int(cursor)
        w.raw(",\"exchange\":")
        try state.writeCheckpointJSON(into: &w)
        w.raw(",\"strategy\":")
        try w.encodable(strategy)
        w.raw(",\"tracker\":")
        try w.encodable(tracker)
        w.raw(",\"version\":")
        w.int(Checkpoint.currentVersion)
        w.raw("}")
        return Data(w.bytes)
    }

    struct Checkpoint: Codable {
        static var currentVersion: Int { 1 }
        var version: Int
        var cursor: Int
        var strategy: S
        var exchange: ExchangeState
        var tracker: PerformanceTracker
    }
}

/// Why a checkpoint could not be restored.
public enum CheckpointError: Error, Sendable, CustomStringConvertible {
    case unsupportedVersion(Int)

    public var description: String {
        switch self {
        case .unsupportedVersion(let v): "checkpoint version \(v) is not supported by this engine"
        }
    }
}

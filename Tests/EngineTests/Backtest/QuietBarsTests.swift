import ATSEngine
import Foundation
import Testing

/// Bars a strategy takes ahead (``Strategy/quietBars(_:from:to:positionSign:)``), marked to market in a loop
/// of their own, leave every result as the general path does, bit for bit: the strategy's state,
/// the exchange's, the tracker's, each fill, each recorded return.
struct QuietBarsTests {
    static let instrument = Instrument(
        base: "BTC", quote: "USDT", tickSize: 0.01, stepSize: 0.001, minQuantity: 0.001, minNotional: 5)

    /// A strategy taking bars ahead as it does, counting them (so a test can see they were many),
    /// or, not `ahead`, through the general path at every bar, as the protocol's default
    /// `quietBars` has it: the reference.
    struct Ahead<Inner: Strategy>: Strategy {
        var inner: Inner
        let ahead: Bool
        var taken = 0
        /// The bars taken while short, flat and long (so a test can see each side was taken).
        var takenBySide = [0, 0, 0]
        static var descriptor: ComponentDescriptor { Inner.descriptor }
        init(parameters p: Parameters) throws(SpecError) { try self.init(parameters: p, ahead: true) }
        init(parameters p: Parameters, ahead: Bool) throws(SpecError) {
            self.init(try Inner(parameters: p), ahead: ahead)
        }
        init(_ inner: Inner, ahead: Bool) {
            self.inner = inner
            self.ahead = ahead
        }
        mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) { inner.onBar(bar, venue: &venue) }
        mutating func prepareForRun() { inner.prepareForRun() }
        mutating func onBarInRun<V: TradingVenue>(_ bar: Bar, venue: inout V) {
            inner.onBarInRun(bar, venue: &venue)
        }
        mutating func quietBars(_ bars: BarPointers, from: Int, to end: Int, positionSign: Int) -> Int {
            guard ahead else { return from }
            let quiet = inner.quietBars(bars, from: from, to: end, positionSign: positionSign)
            taken += quiet - from
            takenBySide[positionSign + 1] += quiet - from
            return quiet
        }
        mutating func onFill<V: TradingVenue>(_ fill: Fill, venue: inout V) { inner.onFill(fill, venue: &venue) }
    }

    typealias Wrapped = Ahead<SMACross>

    /// Prices on a coarse grid with flat stretches, so the averages tie now and then, and with `gap`
    /// NaN closes from three quarters in, one bar in fifty (a tie or NaN keeps the side: the
    /// averages are NaN from the first on, and the run holds what it has, flat or not).
    static func series(_ count: Int, seed: UInt64, gap: Bool) -> BarSeries {
        var rng = SeededRandom(seed: seed)
        var price = 100.0
        return BarSeries(
            (0..<count).map { i in
                if rng.uniform() < 0.7 { price = max(1, price + (rng.uniform() < 0.5 ? -1 : 1)) }
                let close = gap && i >= count * 3 / 4 && rng.uniform() < 0.02 ? Double.nan : price
                return Bar(
                    time: Int64(i) * 60_000, open: price, high: price + 1, low: price - 1, close: close,
                    volume: 1_000)
            })
    }

    static func json(_ value: some Encodable) throws -> Data { try CheckpointCoding.encoder().encode(value) }

    /// The three runs compared: taking bars ahead, through the general path at every bar (the
    /// reference), and the loop specialised for the strategy itself (the one production runs).
    static func runs<S: Strategy>(
        _: S.Type, _ parameters: Parameters, _ exchange: () -> SimulatedExchange, keepFills: Bool,
        recordReturns: Bool
    ) throws -> (BacktestRun<Ahead<S>>, BacktestRun<Ahead<S>>, BacktestRun<S>) {
        var quiet = BacktestRun(
            strategy: try Ahead<S>(parameters: parameters, ahead: true), exchange: exchange(), keepFills: keepFills)
        var every = BacktestRun(strategy: try Ahead<S>(parameters: parameters, ahead: false), exchange: exchange())
        var plain = BacktestRun(strategy: try S(parameters: parameters), exchange: exchange())
        quiet.recordReturns = recordReturns
        every.recordReturns = recordReturns
        plain.recordReturns = recordReturns
        return (quiet, every, plain)
    }

    /// Four random bars to cut a run at (each call its own loop), then its end.
    static func cuts(_ count: Int, _ rng: inout SeededRandom) -> [Int] {
        (0..<4).map { _ in Int(rng.next() % UInt64(count)) }.sorted() + [count]
    }

    /// The bars run whole, returns recorded, taking bars ahead and through the general path.
    static func runWhole(_ bars: BarSeries, _ parameters: Parameters, _ exchange: () -> SimulatedExchange) throws
        -> (quiet: BacktestRun<Wrapped>, every: BacktestRun<Wrapped>)
    {
        var quiet = BacktestRun(strategy: try Wrapped(parameters: parameters, ahead: true), exchange: exchange())
        var every = BacktestRun(strategy: try Wrapped(parameters: parameters, ahead: false), exchange: exchange())
        quiet.recordReturns = true
        every.recordReturns = true
        quiet.run(bars, until: bars.count)
        every.run(bars, until: bars.count)
        return (quiet, every)
    }

    @Test func feedingAheadLeavesThePairAsFeedingOneByOne() throws {
        var rng = SeededRandom(seed: 11)
        for _ in 0..<400 {
            let long = 1 + Int(rng.next() % 40)
            let short = 1 + Int(rng.next() % UInt64(long))
            let values = (0..<300).map { _ in Double(Int(rng.next() % 5)) + (rng.uniform() < 0.01 ? .nan : 0) }
            var fed = SMAPair(short: short, long: long)
            var reference = SMAPair(short: short, long: long)
            var i = 0
            while i < values.count {
                // Stopped at random (or never): what it is offered, and where it stops.
                let stopChance = rng.uniform() * 0.2
                var offered: [(Double, Double)] = []
                let taken = values.withUnsafeBufferPointer { v in
                    fed.feed(v.baseAddress!, from: i, to: values.count) { s, l in
                        offered.append((s, l))
                        return rng.uniform() >= stopChance
                    }
                }
                #expect(taken >= i && taken <= values.count)
                if offered.isEmpty {
                    // Not full yet: it takes nothing.
                    #expect(taken == i && i < long)
                } else {
                    for (k, value) in values[i..<taken].enumerated() {
                        let (s, l) = reference.update(value)
                        #expect(s!.bitPattern == offered[k].0.bitPattern && l!.bitPattern == offered[k].1.bitPattern)
                    }
                    if taken < values.count {
                        // The value it stopped at was offered what it would give, and not fed.
                        #expect(offered.count == taken - i + 1)
                        var peek = reference
                        let (s, l) = peek.update(values[taken])
                        #expect(
                            s!.bitPattern == offered.last!.0.bitPattern && l!.bitPattern == offered.last!.1.bitPattern)
                    } else {
                        #expect(offered.count == taken - i)
                    }
                    #expect(try Self.json(fed) == Self.json(reference), "short \(short) long \(long) at \(taken)")
                }
                // The value it stopped at, the ordinary way.
                if taken < values.count {
                    _ = fed.update(values[taken])
                    _ = reference.update(values[taken])
                }
                i = taken + 1
            }
            #expect(try Self.json(fed) == Self.json(reference))
        }
    }

    /// The first values, before the long average is defined, are fed as one by one: all but the
    /// one that completes the window.
    @Test func warmingUpFeedsAllButTheValueThatCompletesTheWindow() throws {
        var rng = SeededRandom(seed: 5)
        for _ in 0..<200 {
            let long = 1 + Int(rng.next() % 30)
            let short = 1 + Int(rng.next() % UInt64(long))
            let values = (0..<40).map { _ in rng.uniform() * 100 }
            let end = Int(rng.next() % 41)
            var warm = SMAPair(short: short, long: long)
            var reference = SMAPair(short: short, long: long)
            let taken = values.withUnsafeBufferPointer { warm.warmUp($0.baseAddress!, from: 0, to: end) }
            #expect(taken == min(end, long - 1))
            for value in values[..<taken] { _ = reference.update(value) }
            #expect(try Self.json(warm) == Self.json(reference))
            // Nothing more once the window is one short of full.
            let again = values.withUnsafeBufferPointer { warm.warmUp($0.baseAddress!, from: taken, to: values.count) }
            #expect(again == (taken < long - 1 ? long - 1 : taken))
        }
    }

    /// Two marks at one equity settle the peak, the drawdown and the return: further bars at that
    /// equity, held at once, leave the tracker as marking each does.
    @Test func holdingFlatIsMarkingEachBar() throws {
        var rng = SeededRandom(seed: 17)
        for _ in 0..<2_000 {
            var tracker = PerformanceTracker(initialEquity: 1_000)
            var time: Int64 = 0
            // A history: gains, losses, flat bars, zero and NaN equities now and then.
            for _ in 0..<Int(rng.next() % 12) {
                time += 60_000
                let u = rng.uniform()
                let equity = u < 0.05 ? 0 : u < 0.08 ? .nan : 1_000 * (0.5 + rng.uniform())
                _ = tracker.mark(equity: equity, time: time)
            }
            // A quote balance: finite (its own last equity, zero, or another).
            let u = rng.uniform()
            let flat = u < 0.3 && tracker.equity.isFinite ? tracker.equity : u < 0.4 ? 0 : 1_000 * (0.5 + rng.uniform())
            let count = Int(rng.next() % 50)
            var each = tracker
            var held = tracker
            for k in 0..<(count + 2) {
                let r = each.mark(equity: flat, time: time + Int64(k + 1) * 60_000)
                if k >= 2 { #expect(r == 0) }
                if k < 2 { _ = held.mark(equity: flat, time: time + Int64(k + 1) * 60_000) }
            }
            held.holdFlat(bars: count)
            #expect(try Self.json(each) == Self.json(held))
        }
    }

    /// Flat after an exit, a stretch whose second close is NaN: that bar's equity is NaN (the quote
    /// balance plus 0 × NaN) and the next bar's return NaN, so the stretch is marked bar by bar.
    @Test func aNaNCloseInAFlatStretchIsMarkedAsTheGeneralPathMarksIt() throws {
        let closes: [Double] = [10, 11, 10, 11, 12, 13, 12, 11, .nan, 10, 9, 10, 11, 12]
        let bars = BarSeries(
            closes.enumerated().map { i, c in
                Bar(time: Int64(i) * 60_000, open: c, high: c, low: c, close: c, volume: 1_000)
            })
        let parameters = try Parameters(
            validating: ["fast": .int(1), "slow": .int(2), "quantity": .double(1)],
            against: SMACross.descriptor.parameters)
        func exchange() -> SimulatedExchange {
            SimulatedExchange(
                instrument: Self.instrument, config: SimulationConfig(marketFill: .close),
                fees: GenericFees(rate: 0.001), cash: 1_000)
        }
        var (quiet, every) = try Self.runWhole(bars, parameters, exchange)
        // Bought at 11 (bar 3), sold at 12 (bar 6); flat from bar 7 on. Taken ahead: bar 0 (before
        // the slow average), bars 4 and 5 (long), and the flat stretch from bar 7.
        #expect(every.takeFills().map(\.barIndex) == [3, 6])
        #expect(quiet.exchange.wallet.base.total == 0)
        #expect(quiet.strategy.taken == 1 + 2 + (bars.count - 7), "\(quiet.strategy.taken)")
        #expect(try Self.json(quiet.tracker) == Self.json(every.tracker))
        let returns = (quiet.takeReturns(), every.takeReturns())
        let sameReturns = returns.0.map(\.bitPattern) == returns.1.map(\.bitPattern)
        #expect(sameReturns)
        #expect(returns.1[8].isNaN && returns.1[9].isNaN && returns.1[10] == 0)
    }

    /// A NaN quote balance (an API-level exchange; runs resolved from a spec refuse it) makes every
    /// flat bar's equity NaN and its return NaN: such a stretch is marked bar by bar.
    @Test func aNaNQuoteBalanceIsMarkedAsTheGeneralPathMarksIt() throws {
        let bars = Fixtures.synthetic(2_000, seed: 3)
        let parameters = try Parameters(
            validating: ["fast": .int(10), "slow": .int(30), "quantity": .double(1)],
            against: SMACross.descriptor.parameters)
        func exchange() -> SimulatedExchange {
            SimulatedExchange(
                instrument: Self.instrument, config: SimulationConfig(), fees: GenericFees(rate: 0.001), cash: .nan)
        }
        var (quiet, every) = try Self.runWhole(bars, parameters, exchange)
        let returns = (quiet.takeReturns(), every.takeReturns())
        #expect(quiet.strategy.taken > 28 && returns.1[2...28].allSatisfy(\.isNaN))
        let sameReturns = returns.0.map(\.bitPattern) == returns.1.map(\.bitPattern)
        #expect(sameReturns)
        #expect(try Self.json(quiet.tracker) == Self.json(every.tracker))
    }

    /// A strategy restored from a checkpoint written before the shared window (two separate
    /// averages, `fast` and `slow`) runs on the same way either path.
    @Test func aStrategyFromAnOldCheckpointTakesBarsAsTheGeneralPathRunsThem() throws {
        let bars = Fixtures.synthetic(3_000, seed: 9)
        let parameters = try Parameters(
            validating: ["fast": .int(10), "slow": .int(30), "quantity": .double(1)],
            against: SMACross.descriptor.parameters)
        // The old shape: the fresh strategy's fields with two averages fed the first 500 closes.
        var (fast, slow) = (SMA(period: 10), SMA(period: 30))
        for i in 0..<500 { _ = (fast.update(bars.close[i]), slow.update(bars.close[i])) }
        var object =
            try JSONSerialization.jsonObject(with: Self.json(try SMACross(parameters: parameters))) as! [String: Any]
        object["averages"] = nil
        object["fast"] = try JSONSerialization.jsonObject(with: Self.json(fast))
        object["slow"] = try JSONSerialization.jsonObject(with: Self.json(slow))
        object["previousSide"] = fast.value > slow.value ? 1 : -1
        let restored = try CheckpointCoding.decoder().decode(
            SMACross.self, from: JSONSerialization.data(withJSONObject: object))
        let rest = BarSeries((500..<bars.count).map { bars[$0] })
        func run(ahead: Bool) -> BacktestRun<Wrapped> {
            var run = BacktestRun(
                strategy: Wrapped(restored, ahead: ahead),
                exchange: SimulatedExchange(
                    instrument: Self.instrument, config: SimulationConfig(), fees: GenericFees(rate: 0.001),
                    cash: 100_000))
            run.recordReturns = true
            run.run(rest, until: rest.count)
            return run
        }
        var (quiet, every) = (run(ahead: true), run(ahead: false))
        #expect(quiet.strategy.taken > rest.count / 2)
        #expect(try Self.json(quiet.strategy.inner) == Self.json(every.strategy.inner))
        #expect(try Self.json(quiet.tracker) == Self.json(every.tracker))
        let fills = (quiet.takeFills(), every.takeFills())
        #expect(!fills.1.isEmpty && fills.0 == fills.1)
        let sameReturns = quiet.takeReturns().map(\.bitPattern) == every.takeReturns().map(\.bitPattern)
        #expect(sameReturns)
    }

    @Test func runsGiveTheGeneralPathsResultsBitForBit() throws {
        var rng = SeededRandom(seed: 2026)
        var (takenAhead, allBars) = (0, 0)
        for trial in 0..<60 {
            let slow = 2 + Int(rng.next() % 60)
            let fast = 1 + Int(rng.next() % UInt64(slow - 1))
            let longShort = rng.uniform() < 0.5
            let config = SimulationConfig(
                marketFill: rng.uniform() < 0.5 ? .close : .nextOpen, allowShort: longShort)
            let parameters = try Parameters(
                validating: [
                    "fast": .int(fast), "slow": .int(slow),
                    "direction": .string(longShort ? "long_short" : "long_only"),
                ], against: SMACross.descriptor.parameters)
            let baseBalance = rng.uniform() < 0.3 ? 2.0 : 0
            let bars =
                trial % 3 == 0
                ? Fixtures.synthetic(4_000, seed: UInt64(trial))
                : Self.series(4_000, seed: UInt64(trial), gap: trial % 3 == 1)
            let recordReturns = rng.uniform() < 0.7
            func exchange() -> SimulatedExchange {
                SimulatedExchange(
                    instrument: Self.instrument, config: config, fees: GenericFees(rate: 0.001), cash: 100_000,
                    baseBalance: baseBalance)
            }
            // Sweeps drop their fills as they are booked; backtests keep them.
            let keepFills = rng.uniform() < 0.5
            var (quiet, every, plain) = try Self.runs(
                SMACross.self, parameters, exchange, keepFills: keepFills, recordReturns: recordReturns)
            let cuts = Self.cuts(bars.count, &rng)
            var fills: ([Fill], [Fill]) = ([], [])
            for cut in cuts {
                quiet.run(bars, until: cut)
                every.run(bars, until: cut)
                plain.run(bars, until: cut)
                let taken = (quiet.takeFills(), every.takeFills(), plain.takeFills())
                fills.0 += taken.0
                fills.1 += taken.1
                #expect(taken.2 == taken.1, "trial \(trial) cut \(cut)")
                #expect(try Self.json(plain.strategy) == Self.json(every.strategy.inner), "trial \(trial) cut \(cut)")
                #expect(try Self.json(plain.tracker) == Self.json(every.tracker), "trial \(trial) cut \(cut)")
                #expect(
                    try Self.json(quiet.strategy.inner) == Self.json(every.strategy.inner), "trial \(trial) cut \(cut)")
                #expect(try Self.json(quiet.exchange.state) == Self.json(every.exchange.state), "trial \(trial)")
                #expect(try Self.json(quiet.tracker) == Self.json(every.tracker), "trial \(trial) cut \(cut)")
            }
            #expect(!fills.1.isEmpty && fills.0 == (keepFills ? fills.1 : []), "trial \(trial)")
            // As bytes: a NaN (a NaN close's equity) is equal to itself there.
            #expect(
                try Self.json(quiet.statistics(barInterval: 60_000)) == Self.json(every.statistics(barInterval: 60_000))
            )
            let returns = (quiet.takeReturns(), every.takeReturns(), plain.takeReturns())
            let sameReturns =
                returns.0.map(\.bitPattern) == returns.1.map(\.bitPattern)
                && returns.2.map(\.bitPattern) == returns.1.map(\.bitPattern)
            #expect(sameReturns, "trial \(trial)")
            #expect(returns.0.count == (recordReturns ? bars.count : 0))
            #expect(quiet.strategy.taken > 0, "trial \(trial)")
            (takenAhead, allBars) = (takenAhead + quiet.strategy.taken, allBars + bars.count)
        }
        // Most bars went the quiet way (the comparison is not between two general paths).
        #expect(takenAhead > allBars / 2, "\(takenAhead) of \(allBars)")
    }

    /// The RSI fed ahead while a predicate holds is the RSI fed value by value up to the value the
    /// predicate refuses, that value not fed (NaN closes and warm-up included).
    @Test func feedingTheRSIAheadLeavesItAsFeedingOneByOne() throws {
        var rng = SeededRandom(seed: 77)
        for _ in 0..<300 {
            let period = 2 + Int(rng.next() % 20)
            // A NaN close makes every later value NaN (Wilder's sums stay NaN): rare, and late.
            let closes: [Double] = (0..<300).map { i in
                i > 200 && rng.uniform() < 0.01 ? .nan : 100 + Double(Int(rng.next() % 40)) / 4
            }
            let limit = 20 + rng.uniform() * 60
            // Half the time a NaN value is quiet (as `rsi_reversion` has it), half the time refused.
            let nanQuiet = rng.uniform() < 0.5
            let quiet: (Double) -> Bool = { nanQuiet ? !($0 >= limit) : $0 < limit }
            try Self.compareFeeding(
                closes, RSI(period: period), { $0.feed($1, from: $2, to: $3, while: quiet) },
                update: { $0.update($1) != nil }
            ) { fed, one in
                #expect(fed.value.bitPattern == one.value.bitPattern)
                #expect(!quiet(fed.value), "stopped where the predicate refused a value")
            }
        }
    }

    /// Feeds `closes` to a copy of `start` ahead through `feed` (from, to: the first index not
    /// fed) and to another value by value through `update` (whether it gave a value), their whole
    /// states compared at each stop; the refused value is then given to both, each must give a
    /// value, and `refused` checks them.
    static func compareFeeding<I: Encodable>(
        _ closes: [Double], _ start: I, _ feed: (inout I, UnsafePointer<Double>, Int, Int) -> Int,
        update: (inout I, Double) -> Bool, refused: (I, I) -> Void
    ) throws {
        var (fed, one) = (start, start)
        var i = 0
        while i < closes.count {
            let stop = closes.withUnsafeBufferPointer { feed(&fed, $0.baseAddress!, i, closes.count) }
            while i < stop {
                _ = update(&one, closes[i])
                i += 1
            }
            #expect(try Self.json(fed) == Self.json(one), "the whole state, value by value")
            guard i < closes.count else { break }
            #expect(update(&fed, closes[i]) && update(&one, closes[i]), "a value was refused, not a warm-up bar")
            refused(fed, one)
            i += 1
        }
    }

    /// The MACD fed ahead while a predicate holds is the MACD fed value by value up to the pair the
    /// predicate refuses, that value not fed (warm-up, its first pair and NaN closes included).
    @Test func feedingTheMACDAheadLeavesItAsFeedingOneByOne() throws {
        var rng = SeededRandom(seed: 78)
        for _ in 0..<300 {
            let fast = 2 + Int(rng.next() % 10)
            let (slow, signal) = (fast + 1 + Int(rng.next() % 20), 1 + Int(rng.next() % 10))
            // A NaN close late now and then, or (one series in ten) while it warms up.
            let early = rng.uniform() < 0.1 ? Int(rng.next() % UInt64(slow + signal)) : -1
            let closes: [Double] = (0..<300).map { i in
                i == early || (i > 200 && rng.uniform() < 0.01) ? .nan : 100 + Double(Int(rng.next() % 40)) / 4
            }
            let limit = (rng.uniform() - 0.5) * 2
            let nanQuiet = rng.uniform() < 0.5
            // The histogram under a limit; half the time a NaN pair is quiet, half the time refused.
            let quiet: (Double, Double) -> Bool = { line, signal in
                nanQuiet ? !(line - signal >= limit) : line - signal < limit
            }
            try Self.compareFeeding(
                closes, MACD(fast: fast, slow: slow, signal: signal),
                { $0.feed($1, from: $2, to: $3, while: quiet) }, update: { $0.update($1) }
            ) { fed, one in
                #expect(fed.histogram.bitPattern == one.histogram.bitPattern)
                #expect(!quiet(fed.macd, fed.signal), "stopped where the predicate refused a pair")
            }
        }
    }

    /// What the seeded runs of ``checkRuns(_:seed:parameters:)`` saw: bars taken ahead (and by the
    /// position's side) of all bars run, and how many of the sixty runs traded.
    struct Seen {
        var taken = 0
        var bars = 0
        var bySide = [0, 0, 0]
        var traded = 0
    }

    /// Sixty seeded runs of `S` with the parameters `parameters` draws (given whether the run may
    /// short): taking bars ahead, through the general path, and through the loop specialised for
    /// `S`, compared bit for bit at random cuts (fills, the strategy's and exchange's state, the
    /// tracker, each recorded return), over both fill policies, prices with ties and NaN closes, a
    /// starting base and fees on the base now and then.
    static func checkRuns<S: Strategy>(
        _: S.Type, seed: UInt64, parameters: (inout SeededRandom, _ longShort: Bool) throws -> Parameters
    ) throws -> Seen {
        var rng = SeededRandom(seed: seed)
        var seen = Seen()
        for trial in 0..<60 {
            let longShort = rng.uniform() < 0.5
            let parameters = try parameters(&rng, longShort)
            let config = SimulationConfig(marketFill: rng.uniform() < 0.5 ? .close : .nextOpen, allowShort: longShort)
            let bars =
                trial % 3 == 0
                ? Fixtures.synthetic(3_000, seed: UInt64(trial))
                : Self.series(3_000, seed: UInt64(trial), gap: trial % 3 == 1)
            // A starting base now and then, fees on the base now and then (a sale to flat then
            // leaves a short of the fee: long-only runs hold a short too).
            let baseBalance = rng.uniform() < 0.3 ? 2.0 : 0
            let fees = GenericFees(rate: 0.001, chargedOn: rng.uniform() < 0.3 ? .base : .quote)
            func exchange() -> SimulatedExchange {
                SimulatedExchange(
                    instrument: Self.instrument, config: config, fees: fees, cash: 100_000, baseBalance: baseBalance)
            }
            let recordReturns = rng.uniform() < 0.7
            var (quiet, every, plain) = try Self.runs(
                S.self, parameters, exchange, keepFills: rng.uniform() < 0.5, recordReturns: recordReturns)
            let cuts = Self.cuts(bars.count, &rng)
            for cut in cuts {
                quiet.run(bars, until: cut)
                every.run(bars, until: cut)
                plain.run(bars, until: cut)
                // Restored from its checkpoint at each cut, it runs on as it would have.
                quiet.strategy.inner = try CheckpointCoding.decoder().decode(
                    S.self, from: Self.json(quiet.strategy.inner))
                #expect(plain.takeFills() == every.takeFills(), "trial \(trial) cut \(cut)")
                #expect(try Self.json(plain.strategy) == Self.json(every.strategy.inner), "trial \(trial) cut \(cut)")
                #expect(
                    try Self.json(quiet.strategy.inner) == Self.json(every.strategy.inner), "trial \(trial) cut \(cut)")
                #expect(try Self.json(quiet.exchange.state) == Self.json(every.exchange.state), "trial \(trial)")
                #expect(try Self.json(quiet.tracker) == Self.json(every.tracker), "trial \(trial) cut \(cut)")
                #expect(try Self.json(plain.tracker) == Self.json(every.tracker), "trial \(trial) cut \(cut)")
            }
            if every.statistics(barInterval: 60_000).fills > 0 { seen.traded += 1 }
            let returns = (quiet.takeReturns(), every.takeReturns(), plain.takeReturns())
            #expect(returns.0.map(\.bitPattern) == returns.1.map(\.bitPattern), "trial \(trial)")
            #expect(returns.2.map(\.bitPattern) == returns.1.map(\.bitPattern), "trial \(trial)")
            (seen.taken, seen.bars) = (seen.taken + quiet.strategy.taken, seen.bars + bars.count)
            for k in 0..<3 { seen.bySide[k] += quiet.strategy.takenBySide[k] }
        }
        return seen
    }

    /// `rsi_reversion` taking bars ahead given its position's side: every result as the general
    /// path's, bit for bit, over random levels, both directions, both fill policies and cuts.
    @Test func rsiReversionRunsGiveTheGeneralPathsResultsBitForBit() throws {
        let seen = try Self.checkRuns(RSIReversion.self, seed: 2027) { rng, longShort in
            let oversold = 10 + Double(rng.next() % 35)
            let overbought = 55 + Double(rng.next() % 35)
            return try Parameters(
                validating: [
                    "period": .int(2 + Int(rng.next() % 30)), "oversold": .double(oversold),
                    "overbought": .double(overbought), "exit": .double(30 + Double(rng.next() % 40)),
                    "direction": .string(longShort ? "long_short" : "long_only"),
                ], against: RSIReversion.descriptor.parameters)
        }
        #expect(seen.taken > seen.bars / 2, "\(seen.taken) of \(seen.bars)")
        // Bars were taken short, flat and long: the test of each side's branches is not empty.
        #expect(seen.bySide.allSatisfy { $0 > 1_000 }, "taken short, flat, long: \(seen.bySide)")
        // Most trials trade (extreme levels over long periods may never be reached).
        #expect(seen.traded >= 45, "\(seen.traded) of 60 trials traded")
    }

    /// `macd_cross` taking the bars between crosses ahead: every result as the general path's, bit
    /// for bit, over random periods, both directions, both fill policies and cuts.
    @Test func macdCrossRunsGiveTheGeneralPathsResultsBitForBit() throws {
        let seen = try Self.checkRuns(MACDCross.self, seed: 2028) { rng, longShort in
            let fast = 2 + Int(rng.next() % 20)
            return try Parameters(
                validating: [
                    "fast": .int(fast), "slow": .int(fast + 1 + Int(rng.next() % 40)),
                    "signal": .int(1 + Int(rng.next() % 15)),
                    "direction": .string(longShort ? "long_short" : "long_only"),
                ], against: MACDCross.descriptor.parameters)
        }
        #expect(seen.taken > seen.bars / 2, "\(seen.taken) of \(seen.bars)")
        #expect(seen.bySide.allSatisfy { $0 > 1_000 }, "taken short, flat, long: \(seen.bySide)")
        // Most trials trade (a run whose buys its balances refuse may not).
        #expect(seen.traded >= 45, "\(seen.traded) of 60 trials traded")
    }
}

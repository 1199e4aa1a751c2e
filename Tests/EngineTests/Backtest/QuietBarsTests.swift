import ATSEngine
import Foundation
import Testing

/// Bars a strategy takes ahead (``Strategy/quietBars(_:from:to:)``), marked to market in a loop
/// of their own, leave every result as the general path does, bit for bit: the strategy's state,
/// the exchange's, the tracker's, each fill, each recorded return.
struct QuietBarsTests {
    static let instrument = Instrument(
        base: "BTC", quote: "USDT", tickSize: 0.01, stepSize: 0.001, minQuantity: 0.001, minNotional: 5)

    /// `sma_cross` through the general path at every bar (the protocol's default `quietBars`
    /// takes none): the reference.
    struct EveryBar: Strategy {
        var inner: SMACross
        static var descriptor: ComponentDescriptor { SMACross.descriptor }
        init(parameters p: Parameters) throws(SpecError) { inner = try SMACross(parameters: p) }
        mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) { inner.onBar(bar, venue: &venue) }
        mutating func prepareForRun() { inner.prepareForRun() }
        mutating func onBarInRun<V: TradingVenue>(_ bar: Bar, venue: inout V) {
            inner.onBarInRun(bar, venue: &venue)
        }
        mutating func onFill<V: TradingVenue>(_ fill: Fill, venue: inout V) { inner.onFill(fill, venue: &venue) }
    }

    /// `sma_cross` as it is, counting the bars it takes ahead (so a test can see they were many).
    struct Counting: Strategy {
        var inner: SMACross
        var taken = 0
        static var descriptor: ComponentDescriptor { SMACross.descriptor }
        init(parameters p: Parameters) throws(SpecError) { inner = try SMACross(parameters: p) }
        mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) { inner.onBar(bar, venue: &venue) }
        mutating func prepareForRun() { inner.prepareForRun() }
        mutating func onBarInRun<V: TradingVenue>(_ bar: Bar, venue: inout V) {
            inner.onBarInRun(bar, venue: &venue)
        }
        mutating func quietBars(_ bars: BarPointers, from: Int, to end: Int) -> Int {
            let quiet = inner.quietBars(bars, from: from, to: end)
            taken += quiet - from
            return quiet
        }
        mutating func onFill<V: TradingVenue>(_ fill: Fill, venue: inout V) { inner.onFill(fill, venue: &venue) }
    }

    /// Prices on a coarse grid with flat stretches, so the averages tie now and then, and with `gap`
    /// one NaN close three quarters in (a tie or NaN keeps the side: the averages are NaN from there
    /// on, and the run holds what it has).
    static func series(_ count: Int, seed: UInt64, gap: Bool) -> BarSeries {
        var rng = SeededRandom(seed: seed)
        var price = 100.0
        return BarSeries(
            (0..<count).map { i in
                if rng.uniform() < 0.7 { price = max(1, price + (rng.uniform() < 0.5 ? -1 : 1)) }
                let close = gap && i == count * 3 / 4 ? Double.nan : price
                return Bar(
                    time: Int64(i) * 60_000, open: price, high: price + 1, low: price - 1, close: close,
                    volume: 1_000)
            })
    }

    static func json(_ value: some Encodable) throws -> Data { try CheckpointCoding.encoder().encode(value) }

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
            var quiet = BacktestRun(strategy: try Counting(parameters: parameters), exchange: exchange())
            var every = BacktestRun(strategy: try EveryBar(parameters: parameters), exchange: exchange())
            quiet.recordReturns = recordReturns
            every.recordReturns = recordReturns
            // Cut at random bars (each call its own loop), now and then one bar at a time.
            var cuts = (0..<4).map { _ in Int(rng.next() % UInt64(bars.count)) }.sorted()
            cuts.append(bars.count)
            var fills: ([Fill], [Fill]) = ([], [])
            for cut in cuts {
                quiet.run(bars, until: cut)
                every.run(bars, until: cut)
                fills.0 += quiet.takeFills()
                fills.1 += every.takeFills()
                #expect(
                    try Self.json(quiet.strategy.inner) == Self.json(every.strategy.inner), "trial \(trial) cut \(cut)")
                #expect(try Self.json(quiet.exchange.state) == Self.json(every.exchange.state), "trial \(trial)")
                #expect(try Self.json(quiet.tracker) == Self.json(every.tracker), "trial \(trial) cut \(cut)")
            }
            #expect(fills.0 == fills.1 && !fills.0.isEmpty, "trial \(trial)")
            #expect(quiet.statistics(barInterval: 60_000) == every.statistics(barInterval: 60_000))
            let returns = (quiet.takeReturns(), every.takeReturns())
            let sameReturns = returns.0.map(\.bitPattern) == returns.1.map(\.bitPattern)
            #expect(sameReturns, "trial \(trial)")
            #expect(returns.0.count == (recordReturns ? bars.count : 0))
            #expect(quiet.strategy.taken > 0, "trial \(trial)")
            (takenAhead, allBars) = (takenAhead + quiet.strategy.taken, allBars + bars.count)
        }
        // Most bars went the quiet way (the comparison is not between two general paths).
        #expect(takenAhead > allBars / 2, "\(takenAhead) of \(allBars)")
    }
}

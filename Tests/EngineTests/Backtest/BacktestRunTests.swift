import ATSEngine
import Foundation
import Testing

struct BacktestRunTests {
    static let bars = Fixtures.synthetic(20_000)

    static func spec(
        _ strategy: String = "strategies:sma_cross",
        _ config: [String: ParameterValue] = ["fast": .int(10), "slow": .int(30)],
        exchange: [String: ParameterValue] = [:]
    ) -> RunSpec {
        RunSpec(
            exchange: .init(symbol: .init(base: "BTC", quote: "USDT"), config: exchange),
            strategy: ComponentRef(namespace: strategy, config: config),
            fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]),
            portfolio: .init(cash: 100_000))
    }

    static func runWhole(_ spec: RunSpec) throws -> (fills: [Fill], stats: BacktestStatistics, checkpoint: Data) {
        let run = try Registry.builtIn.resolve(spec)
        var session = try Registry.builtIn.makeSession(run)
        session.run(bars, until: bars.count)
        return (session.takeFills(), session.statistics(barInterval: bars.barInterval), try session.checkpoint())
    }

    @Test func sameInputsGiveBitIdenticalOutputs() throws {
        let a = try Self.runWhole(Self.spec())
        let b = try Self.runWhole(Self.spec())
        #expect(a.fills.count > 100)
        #expect(a.fills == b.fills)
        #expect(a.checkpoint == b.checkpoint)
        #expect(a.fills.map(\.seq) == (0..<Int64(a.fills.count)).map { $0 })
    }

    @Test(
        "checkpoint at any bar and restore gives the identical result",
        arguments: [
            ("strategies:sma_cross", "next_open"), ("strategies:sma_cross", "close"),
            ("strategies:rsi_reversion", "next_open"),
        ])
    func checkpointRestoreIsBitIdentical(strategy: String, marketFill: String) throws {
        let config: [String: ParameterValue] =
            strategy.hasSuffix("sma_cross")
            ? ["fast": .int(10), "slow": .int(30), "direction": .string("long_short")] : [:]
        let spec = Self.spec(
            strategy, config, exchange: ["market_fill": .string(marketFill), "allow_short": .bool(true)])
        let whole = try Self.runWhole(spec)
        var rng = SystemRandomNumberGenerator()
        let run = try Registry.builtIn.resolve(spec)
        for _ in 0..<5 {
            // Stop at random bars, checkpoint, throw the session away, restore, go on.
            var cuts = (0..<3).map { _ in Int.random(in: 1..<Self.bars.count, using: &rng) }.sorted()
            cuts.append(Self.bars.count)
            var fills: [Fill] = []
            var checkpoint: Data?
            for cut in cuts {
                var session = try Registry.builtIn.makeSession(run, checkpoint: checkpoint)
                session.run(Self.bars, until: cut)
                fills += session.takeFills()
                checkpoint = try session.checkpoint()
            }
            #expect(fills == whole.fills, "cuts \(cuts)")
            #expect(checkpoint == whole.checkpoint, "cuts \(cuts)")
        }
    }

    /// A session copied mid-run goes on by itself: the strategy's window (a ``RunWindow``, checked
    /// for sharing once per run, not per bar) is not written through the copy.
    @Test func aCopiedSessionRunsOnByItself() throws {
        let run = try Registry.builtIn.resolve(Self.spec())
        var first = try Registry.builtIn.makeSession(run)
        first.run(Self.bars, until: 7_000)
        _ = first.takeFills()
        var second = first
        first.run(Self.bars, until: 14_000)
        let ahead = try first.checkpoint()
        second.run(Self.bars, until: 14_000)
        #expect(try second.checkpoint() == ahead)
        first.run(Self.bars, until: Self.bars.count)
        second.run(Self.bars, until: Self.bars.count)
        let whole = try Self.runWhole(Self.spec())
        #expect(try first.checkpoint() == whole.checkpoint)
        #expect(try second.checkpoint() == whole.checkpoint)
    }

    /// Kept fills wait in the exchange's buffer (room reserved when it is empty) until taken: run
    /// in chunks and taken once, or taken after each chunk, they are the whole run's, each once and
    /// in order; a copy taken mid-run keeps the fills it had.
    @Test func keptFillsComeOutOnceAndInOrderHoweverTheRunIsCut() throws {
        let whole = try Self.runWhole(Self.spec())
        let run = try Registry.builtIn.resolve(Self.spec())
        var untaken = try Registry.builtIn.makeSession(run)
        var taken = try Registry.builtIn.makeSession(run)
        var takenFills: [Fill] = []
        var copy: (any BacktestSession)?
        for cut in stride(from: 1_500, through: Self.bars.count + 1_499, by: 1_500) {
            untaken.run(Self.bars, until: cut)
            taken.run(Self.bars, until: cut)
            takenFills += taken.takeFills()
            if cut == 9_000 { copy = untaken }
        }
        #expect(untaken.takeFills() == whole.fills)
        #expect(takenFills == whole.fills)
        let copied = copy!.takeFills()
        #expect(!copied.isEmpty && copied == Array(whole.fills.prefix(copied.count)))
        #expect(copied.last!.barIndex < 9_000 && whole.fills[copied.count].barIndex >= 9_000)
    }

    /// A sweep's trials take each bar's return from the loop: the very values the equity gives
    /// (`equity / previous − 1`, 0 when unchanged), however the run is cut, with the statistics
    /// unchanged by recording them.
    @Test(arguments: [[20_000], [1, 7_000, 7_001, 20_000], [30, 31, 32, 19_999, 20_000]])
    func recordedReturnsAreTheEquitysReturnsHoweverTheRunIsCut(_ cuts: [Int]) throws {
        let run = try Registry.builtIn.resolve(
            Self.spec(
                "strategies:sma_cross", ["fast": .int(10), "slow": .int(30), "direction": .string("long_short")],
                exchange: ["allow_short": .bool(true)]))
        var both = try Registry.builtIn.makeSession(
            run, options: SessionOptions(recordEquity: true, keepFills: false, recordReturns: true))
        var plain = try Registry.builtIn.makeSession(run, options: SessionOptions(keepFills: false))
        for cut in cuts {
            both.run(Self.bars, until: cut)
            plain.run(Self.bars, until: cut)
        }
        let equity = both.equityCurve
        let returns = both.takeReturns()
        #expect(returns.count == Self.bars.count && equity.count == Self.bars.count)
        var previous = both.statistics(barInterval: Self.bars.barInterval).initialEquity
        var mismatches = 0
        for (value, r) in zip(equity, returns) {
            let expected = previous != 0 ? value / previous - 1 : 0
            if expected.bitPattern != r.bitPattern { mismatches += 1 }
            previous = value
        }
        #expect(mismatches == 0)
        #expect(returns.filter { $0 != 0 }.count > 1_000, "the run trades")
        #expect(both.takeReturns().isEmpty, "taken once")
        let a = both.statistics(barInterval: Self.bars.barInterval)
        let b = plain.statistics(barInterval: Self.bars.barInterval)
        #expect(a.sharpe.bitPattern == b.sharpe.bitPattern && a.totalReturn.bitPattern == b.totalReturn.bitPattern)
    }

    /// Bars given one at a time (`step`, as a live market gives them) between runs: the returns
    /// follow on in order, the same bits as one whole run's.
    @Test func returnsRecordedStepByStepFollowOn() throws {
        let run = try Registry.builtIn.resolve(Self.spec())
        let options = SessionOptions(keepFills: false, recordReturns: true)
        var whole = try Registry.builtIn.makeSession(run, options: options)
        whole.run(Self.bars, until: Self.bars.count)
        var mixed = try Registry.builtIn.makeSession(run, options: options)
        mixed.run(Self.bars, until: 5_000)
        for i in 5_000..<5_010 { mixed.step(Self.bars[i]) }
        mixed.run(Self.bars, until: Self.bars.count)
        let a = whole.takeReturns()
        let b = mixed.takeReturns()
        #expect(a.count == Self.bars.count && b.count == a.count)
        #expect(zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test func withoutKeptFillsTheStatisticsAreTheSame() throws {
        let run = try Registry.builtIn.resolve(Self.spec())
        var kept = try Registry.builtIn.makeSession(run)
        var dropped = try Registry.builtIn.makeSession(run, options: SessionOptions(keepFills: false))
        kept.run(Self.bars, until: Self.bars.count)
        dropped.run(Self.bars, until: Self.bars.count)
        let fills = kept.takeFills()
        #expect(fills.count > 100 && dropped.takeFills().isEmpty)
        let a = kept.statistics(barInterval: Self.bars.barInterval)
        let b = dropped.statistics(barInterval: Self.bars.barInterval)
        #expect(a == b && b.fills == fills.count)
        #expect(try kept.checkpoint() == dropped.checkpoint())
    }

    @Test func statisticsAreConsistentWithTheFills() throws {
        let r = try Self.runWhole(Self.spec())
        let s = r.stats
        #expect(s.bars == Self.bars.count)
        #expect(s.fills == r.fills.count)
        #expect(abs(s.totalFees - r.fills.reduce(0) { $0 + $1.feeInQuote }) < 1e-6)
        #expect(s.roundTrips == r.fills.count / 2)
        #expect(abs(s.totalReturn - (s.finalEquity / 100_000 - 1)) < 1e-12)
        #expect(s.maxDrawdown > 0 && s.maxDrawdown < 1)
        #expect(s.exposure > 0 && s.exposure < 1)
        #expect((0...1).contains(s.winRate))
        let first = Self.bars.close[0]
        let last = Self.bars.close[Self.bars.count - 1]
        #expect(s.buyAndHoldReturn == last / first - 1)
    }

    @Test func roundTripsAccountForFeesAndReversals() {
        var t = PerformanceTracker(initialEquity: 1000)
        func fill(_ side: OrderSide, _ q: Double, _ p: Double, fee: Double = 0) -> Fill {
            Fill(
                seq: 0, orderId: 0, time: 0, barIndex: 0, side: side, price: p, quantity: q, feeBase: 0, feeQuote: fee,
                liquidity: .taker, tag: "")
        }
        #expect(t.record(fill: fill(.buy, 2, 10, fee: 1)) == nil)
        let trip = t.record(fill: fill(.sell, 3, 12, fee: 1.5))  // closes the long, opens a 1-unit short
        #expect(trip?.pnl == Double(2 * 2 - 1 - 1))
        #expect(t.openQuantity == -1 && t.openPrice == 12 && t.openFees == 0.5)
        let short = t.record(fill: fill(.buy, 1, 11))
        #expect(short?.pnl == 0.5 && short?.side == .sell)
        #expect(t.roundTrips == 2 && t.wins == 2)
    }

    @Test func rejectsInvalidSpecsNamingTheField() {
        func field(_ spec: RunSpec) -> String? {
            do {
                _ = try Registry.builtIn.resolve(spec)
                return nil
            } catch { return error.field }
        }
        #expect(field(Self.spec("strategies:nope")) == "strategy.namespace")
        #expect(field(Self.spec("indicators:sma_cross")) == "strategy.namespace")
        #expect(field(Self.spec("strategies:sma_cross", ["fast": .string("ten")])) == "strategy.config.fast")
        #expect(
            field(Self.spec("strategies:sma_cross", ["fast": .int(30), "slow": .int(10)])) == "strategy.config.fast")
        #expect(field(Self.spec("strategies:sma_cross", ["fats": .int(3)])) == "strategy.config.fats")
        #expect(field(Self.spec(exchange: ["market_fill": .string("tomorrow")])) == "exchange.config.market_fill")
        #expect(
            field(Self.spec("strategies:sma_cross", ["direction": .string("long_short")]))
                == "strategy.config.direction",
            "shorting needs an exchange that allows it")
        var badSymbol = Self.spec()
        badSymbol.exchange.symbol.base = "btc!"
        #expect(field(badSymbol) == "exchange.symbol.base")
        var badFee = Self.spec()
        badFee.fees.config = ["taker": .double(2)]
        #expect(field(badFee) == "fees.config.taker")
        var badCash = Self.spec()
        badCash.portfolio.cash = -1
        #expect(field(badCash) == "portfolio.cash")
    }
}

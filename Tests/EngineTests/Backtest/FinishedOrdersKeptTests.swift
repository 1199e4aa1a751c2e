import Foundation
import Testing

@testable import ATSEngine

/// A strategy says how many finished orders it may look up by id (``Strategy/finishedOrdersKept``):
/// the exchange keeps exactly that many, its checkpoints carry them, and a run resumed at any bar
/// finds what the uninterrupted run found.
struct FinishedOrdersKeptTests {
    static let instrument = Instrument(
        base: "BTC", quote: "USDT", tickSize: 0.01, stepSize: 0.001, minQuantity: 0.001, minNotional: 5)
    static let bars = Fixtures.synthetic(3_000)

    /// Trades every bar, and asks the venue for the orders it placed one to five bars ago, counting
    /// the answers by how far back they were (one order ends a bar, so three are kept).
    struct LooksBack: Strategy {
        static let descriptor = ComponentDescriptor(name: "looks_back", summary: "", parameters: [])
        static var finishedOrdersKept: Int { 3 }
        var placed: [OrderID] = []
        var found = [Int](repeating: 0, count: 6)
        init(parameters: Parameters) throws(SpecError) {}
        static func make() throws -> Self { try Self(parameters: try Parameters(validating: [:], against: [])) }
        mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) {
            for back in 1...5 where placed.count >= back {
                if venue.order(placed[placed.count - back])?.status.isOpen == false { found[back] += 1 }
            }
            placed.append(venue.submit(.market(placed.count % 2 == 0 ? .buy : .sell, 1)))
            if placed.count > 5 { placed.removeFirst() }
        }
    }

    static func exchange() -> SimulatedExchange {
        SimulatedExchange(instrument: instrument, config: SimulationConfig(), fees: GenericFees(rate: 0), cash: 1e9)
    }

    @Test func aRunResumedAtAnyBarFindsWhatTheWholeRunFound() throws {
        var whole = BacktestRun(strategy: try LooksBack.make(), exchange: Self.exchange())
        whole.run(Self.bars, until: Self.bars.count)
        let found = whole.strategy.found
        #expect(found[1] > 2_900 && found[2] == found[1] - 1 && found[3] == found[2] - 1, "\(found)")
        #expect(found[4] == 0 && found[5] == 0, "only three finished orders are kept: \(found)")
        #expect(whole.exchange.state.recent.count == 3 && whole.exchange.state.recentKept == 3)

        var rng = SeededRandom(seed: 5)
        for _ in 0..<5 {
            var cuts = (0..<3).map { _ in Int.random(in: 1..<Self.bars.count, using: &rng) }.sorted()
            cuts.append(Self.bars.count)
            var checkpoint: Data?
            var last: BacktestRun<LooksBack>?
            for cut in cuts {
                var run =
                    try checkpoint.map { try BacktestRun<LooksBack>(restoring: $0, exchange: Self.exchange()) }
                    ?? BacktestRun(strategy: try LooksBack.make(), exchange: Self.exchange())
                run.run(Self.bars, until: cut)
                checkpoint = try run.checkpoint()
                last = run
            }
            #expect(last?.strategy.found == found, "cuts \(cuts)")
            #expect(checkpoint == (try whole.checkpoint()), "cuts \(cuts)")
        }
    }

    /// The exchange keeps the newest `count`, forgets the rest at once when told fewer, and a
    /// state read back keeps as many as the one written.
    @Test func theExchangeKeepsWhatItIsToldAndReadsItBack() throws {
        var x = SimulatedExchange(
            instrument: Self.instrument, config: SimulationConfig(marketFill: .close), fees: GenericFees(rate: 0),
            cash: 1e9)
        x.process(bar: Bar(time: 0, open: 100, high: 101, low: 99, close: 100, volume: 1_000), index: 0)
        x.keepFinished(3)
        let ids = (0..<10).map { k in x.submit(.market(k % 2 == 0 ? .buy : .sell, 1)) }
        #expect(x.state.recent.map(\.id) == Array(ids.suffix(3)))
        #expect(x.order(ids[6]) == nil && x.order(ids[7])?.status == .filled)
        let data = try CheckpointCoding.encoder().encode(x.state)
        let back = try CheckpointCoding.decoder().decode(ExchangeState.self, from: data)
        #expect(back == x.state && back.recentKept == 3)
        let negative = String(decoding: data, as: UTF8.self).replacingOccurrences(
            of: "\"recentKept\":3", with: "\"recentKept\":-1")
        #expect(throws: DecodingError.self, "a negative count is refused, not trapped on") {
            try CheckpointCoding.decoder().decode(ExchangeState.self, from: Data(negative.utf8))
        }
        x.keepFinished(1)
        #expect(x.state.recent.map(\.id) == [ids[9]])
        x.keepFinished(0)
        #expect(x.state.recent.isEmpty && x.order(ids[9]) == nil)
        _ = x.submit(.market(.buy, 1))
        #expect(x.state.recent.isEmpty, "nothing is kept at 0")
    }

    /// A built-in strategy keeps none; a checkpoint written before strategies said so (64
    /// finished orders, no `recentKept`) resumes to the very end the uninterrupted run reaches.
    @Test func aBuiltInKeepsNoneAndResumesAnEarlierCheckpoint() throws {
        let run = try Registry.builtIn.resolve(
            BacktestRunTests.spec("strategies:sma_cross", ["fast": .int(5), "slow": .int(20)]))
        var whole = try Registry.builtIn.makeSession(run)
        whole.run(Self.bars, until: Self.bars.count)
        let end = try whole.checkpoint()

        var first = try Registry.builtIn.makeSession(run)
        first.run(Self.bars, until: 1_500)
        let current = String(decoding: try first.checkpoint(), as: UTF8.self)
        #expect(first.exchange.orderCount > 20, "the strategy traded")
        #expect(current.contains("\"recent\":[],\"recentKept\":0,"))

        // The same checkpoint as the release before wrote it: its history full, no `recentKept`.
        var other = Self.exchange()
        other.process(bar: Bar(time: 0, open: 100, high: 101, low: 99, close: 100, volume: 1_000), index: 0)
        for k in 0..<70 { other.submit(.market(k % 2 == 0 ? .buy : .sell, 1)) }
        other.process(bar: Bar(time: 60_000, open: 100, high: 101, low: 99, close: 100, volume: 1_000), index: 1)
        #expect(other.state.recent.count == ExchangeState.recentLimit)
        let history = String(decoding: try CheckpointCoding.encoder().encode(other.state.recent), as: UTF8.self)
        let earlier = current.replacingOccurrences(
            of: "\"recent\":[],\"recentKept\":0,", with: "\"recent\":\(history),")
        #expect(earlier != current && !earlier.contains("recentKept"))

        var resumed = try Registry.builtIn.makeSession(run, checkpoint: Data(earlier.utf8))
        #expect(resumed.exchange.state.recent.isEmpty && resumed.exchange.state.recentKept == 0)
        resumed.run(Self.bars, until: Self.bars.count)
        #expect(try resumed.checkpoint() == end)
    }
}

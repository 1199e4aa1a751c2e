import ATSEngine
import Foundation
import Testing

struct StrategyTests {
    static let bars = SyntheticBars(seed: 31).generate(count: 30_000)

    static func spec(_ name: String, _ config: [String: ParameterValue] = [:], exchange: [String: ParameterValue] = [:])
        -> RunSpec
    {
        RunSpec(
            exchange: .init(
                symbol: .init(base: "BTC", quote: "USDT"), config: ["allow_short": .bool(true)].merging(exchange) { $1 }
            ),
            strategy: ComponentRef(namespace: "strategies:\(name)", config: config),
            fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.0005)]))
    }

    /// Every built-in strategy with a configuration that trades.
    static let configured: [(String, [String: ParameterValue])] = [
        ("sma_cross", ["fast": .int(10), "slow": .int(40), "direction": .string("long_short")]),
        ("rsi_reversion", ["period": .int(10)]),
        ("macd_cross", ["direction": .string("long_short")]),
        ("bollinger_breakout", ["direction": .string("long_short")]),
        ("simple_ma", ["go_short": .bool(true), "confirm": .string("rsi")]),
        ("simple", ["seed": .int(7), "probability": .double(0.05)]),
        ("grid", ["spacing": .double(0.002), "levels": .int(4), "quantity": .double(10)]),
        ("dca", ["interval": .int(500), "amount": .double(2000), "take_profit": .double(0.02)]),
    ]

    func run(_ spec: RunSpec, cuts: [Int] = []) throws -> (fills: [Fill], stats: BacktestStatistics, checkpoint: Data) {
        let resolved = try Registry.builtIn.resolve(spec)
        var fills: [Fill] = []
        var checkpoint: Data?
        for cut in cuts {
            var s = try Registry.builtIn.makeSession(resolved, checkpoint: checkpoint)
            s.run(Self.bars, until: cut)
            fills += s.takeFills()
            checkpoint = try s.checkpoint()
        }
        var last = try Registry.builtIn.makeSession(resolved, checkpoint: checkpoint)
        last.run(Self.bars, until: Self.bars.count)
        fills += last.takeFills()
        return (fills, last.statistics(barInterval: Self.bars.barInterval), try last.checkpoint())
    }

    @Test func thereAreAtLeastEightStrategies() {
        #expect(Registry.builtIn.strategies.count >= 8)
        #expect(Set(Self.configured.map(\.0)).isSubset(of: Set(Registry.builtIn.strategies.keys)))
    }

    @Test("trades, and resumes from any checkpoint bit for bit", arguments: configured.map(\.0))
    func tradesAndResumesExactly(_ name: String) throws {
        let config = Self.configured.first { $0.0 == name }!.1
        let whole = try run(Self.spec(name, config))
        #expect(whole.fills.count >= 10, "\(name) traded \(whole.fills.count) times")
        var rng = SeededRandom(seed: UInt64(name.utf8.count))
        let cuts = (0..<3).map { _ in 1 + Int(rng.uniform() * Double(Self.bars.count - 2)) }.sorted()
        let pieces = try run(Self.spec(name, config), cuts: cuts)
        #expect(pieces.fills == whole.fills, "\(name) cuts \(cuts)")
        #expect(pieces.checkpoint == whole.checkpoint)
        #expect(pieces.stats == whole.stats)
    }

    @Test func simpleIsSeeded() throws {
        let a = try run(Self.spec("simple", ["seed": .int(1), "probability": .double(0.05)]))
        let b = try run(Self.spec("simple", ["seed": .int(1), "probability": .double(0.05)]))
        let c = try run(Self.spec("simple", ["seed": .int(2), "probability": .double(0.05)]))
        #expect(a.fills == b.fills)
        #expect(a.fills != c.fills)
    }

    @Test func macdCrossEntersOnlyAfterACross() throws {
        let r = try run(Self.spec("macd_cross", [:]))
        let p = try MACD.descriptor.component.validate([:])
        let columns = try MACD.batch(Self.bars, parameters: p)
        for fill in r.fills.prefix(50) {
            let i = fill.barIndex - 1  // next-open fills: the signal was the bar before
            let now = columns[0][i] - columns[1][i]
            let before = columns[0][i - 1] - columns[1][i - 1]
            #expect((now > 0) != (before > 0), "fill \(fill.seq) at bar \(fill.barIndex) without a cross")
            #expect(fill.side == (now > 0 ? .buy : .sell))
        }
    }

    @Test func bollingerBreakoutBuysOnlyAboveTheUpperBand() throws {
        let r = try run(Self.spec("bollinger_breakout", [:]))
        let bands = try BollingerBands.batch(Self.bars, parameters: BollingerBands.descriptor.component.validate([:]))
        let entries = r.fills.filter { $0.tag == "breakout" }
        #expect(!entries.isEmpty)
        for f in entries { #expect(Self.bars.close[f.barIndex - 1] > bands[0][f.barIndex - 1]) }
    }

    @Test func simpleMAUsesBracketsOnBothSides() throws {
        let r = try run(
            Self.spec(
                "simple_ma",
                ["go_short": .bool(true), "confirm": .string("none"), "tp_std": .double(2), "sl_std": .double(2)]))
        let tags = Set(r.fills.map(\.tag))
        #expect(tags.isSuperset(of: ["long", "short", "take_profit", "stop_loss"]), "\(tags)")
        // A short's take-profit is a buy below its entry.
        var entry: Fill?
        var checked = 0
        for f in r.fills {
            if f.tag == "short" || f.tag == "long" { entry = f }
            if f.tag == "take_profit", let e = entry {
                #expect(f.side == e.side.opposite)
                #expect(e.side == .sell ? f.price < e.price : f.price > e.price)
                checked += 1
            }
        }
        #expect(checked > 0)
        #expect(throws: SpecError.self) {
            try Registry.builtIn.resolve(Self.spec("simple_ma", ["go_long": .bool(false), "go_short": .bool(false)]))
        }
    }

    @Test func gridSellsOneLevelAboveWhereItBought() throws {
        let r = try run(Self.spec("grid", ["spacing": .double(0.002), "levels": .int(4), "quantity": .double(10)]))
        let sells = r.fills.filter { $0.tag == "grid_sell" }
        let buys = r.fills.filter { $0.tag == "grid_buy" }
        #expect(sells.count >= 5 && buys.count >= sells.count)
        #expect(r.stats.roundTrips > 0)
        #expect(r.stats.winRate > 0.5, "a grid mostly closes at a profit in a ranging market")
    }

    @Test func dcaBuysOnItsSchedule() throws {
        let r = try run(Self.spec("dca", ["interval": .int(1000), "amount": .double(1000)]))
        let buys = r.fills.filter { $0.tag == "dca" }
        #expect(buys.count == 30)
        #expect(buys.allSatisfy { ($0.barIndex - 1) % 1000 == 0 })
        #expect(buys.allSatisfy { abs($0.price * $0.quantity - 1000) < 1 })
    }

    @Test func smaCrossCheckpointsWithTwoSeparateAveragesStillLoad() throws {
        // Before the shared window, sma_cross checkpointed two SMAs ("fast", "slow").
        let parameters = try SMACross.descriptor.validate(["fast": .int(5), "slow": .int(12), "quantity": .int(1)])
        var strategy = try SMACross(parameters: parameters)
        var exchange = SimulatedExchange(
            instrument: Instrument(base: "BTC", quote: "USDT"), config: SimulationConfig(), fees: GenericFees(rate: 0),
            cash: 1e6)
        var fast = SMA(period: 5)
        var slow = SMA(period: 12)
        for i in 0..<100 {
            exchange.process(bar: Self.bars[i], index: i)
            strategy.onBar(Self.bars[i], venue: &exchange)
            fast.update(Self.bars[i].close)
            slow.update(Self.bars[i].close)
        }
        let current = try CheckpointCoding.encoder().encode(strategy)
        var object = try #require(try JSONSerialization.jsonObject(with: current) as? [String: Any])
        object.removeValue(forKey: "averages")
        object["fast"] = try JSONSerialization.jsonObject(with: CheckpointCoding.encoder().encode(fast))
        object["slow"] = try JSONSerialization.jsonObject(with: CheckpointCoding.encoder().encode(slow))
        let legacy = try JSONSerialization.data(withJSONObject: object)
        let restored = try CheckpointCoding.decoder().decode(SMACross.self, from: legacy)
        #expect(try CheckpointCoding.encoder().encode(restored) == current)
    }

    @Test(arguments: ["sma", "wma"])
    func simpleMAKeepsItsCheckpointFormat(_ average: String) throws {
        // Its averages were an enum (`{"sma": {"_0": …}}` in checkpoints); they are a struct now,
        // written and read in the same format.
        let parameters = try SimpleMA.descriptor.validate(["ma": .string(average)])
        var strategy = try SimpleMA(parameters: parameters)
        var exchange = SimulatedExchange(
            instrument: Instrument(base: "BTC", quote: "USDT"), config: SimulationConfig(), fees: GenericFees(rate: 0),
            cash: 1e6)
        for i in 0..<200 {
            exchange.process(bar: Self.bars[i], index: i)
            strategy.onBar(Self.bars[i], venue: &exchange)
        }
        let data = try CheckpointCoding.encoder().encode(strategy)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let fast = try #require(object["fast"] as? [String: Any])
        let payload = try #require(fast[average] as? [String: Any])
        #expect(payload["_0"] != nil && fast.count == 1)
        let restored = try CheckpointCoding.decoder().decode(SimpleMA.self, from: data)
        #expect(try CheckpointCoding.encoder().encode(restored) == data)
    }
}

import ATSCustomModules
import ATSEngine
import Testing

struct CustomModulesTests {
    static var registry: Registry {
        var r = Registry.builtIn
        CustomModules.register(into: &r)
        return r
    }

    static let bars = SyntheticBars(seed: 21).generate(count: 20_000)

    func run(_ spec: RunSpec, registry: Registry = CustomModulesTests.registry) throws -> BacktestStatistics {
        var s = try registry.makeSession(try registry.resolve(spec))
        s.run(Self.bars, until: Self.bars.count)
        return s.statistics(barInterval: Self.bars.barInterval)
    }

    @Test func everyExampleIsRegisteredAsCustom() {
        let r = Self.registry
        #expect(r.strategies["momentum"]?.origin == .custom)
        #expect(r.indicators["typical_price"]?.origin == .custom)
        #expect(r.fees["basis_points"]?.origin == .custom)
        #expect(r.exchanges["binance_sim"]?.origin == .custom)
        #expect(r.strategies["sma_cross"]?.origin == .builtIn)
    }

    @Test func theExamplesRunTogetherInABacktest() throws {
        let spec = RunSpec(
            exchange: .init(namespace: "exchanges:binance_sim", symbol: .init(base: "BTC", quote: "USDT")),
            strategy: ComponentRef(namespace: "strategies:momentum", config: ["lookback": .int(30)]),
            fees: ComponentRef(namespace: "fees:basis_points", config: ["bps": .double(10), "minimum": .double(2)]))
        let stats = try run(spec)
        #expect(stats.roundTrips > 10)
        #expect(stats.rejectedOrders == 0, "orders are sized within the venue's rules")
        // Every fill paid at least the minimum fee.
        #expect(stats.totalFees >= Double(stats.fills) * 2 - 1e-9)
    }

    @Test func theExampleIndicatorComputes() throws {
        let (type, p) = try Self.registry.indicator(IndicatorCall(parsing: "typical_price:period=3"))
        let out = try type.batch(Self.bars, parameters: p)[0]
        #expect(out[1].isNaN)
        let b = Self.bars
        let tp = (0..<3).map { (b.high[$0] + b.low[$0] + b.close[$0]) / 3 }
        #expect(abs(out[2] - tp.reduce(0, +) / 3) < 1e-12)
    }

    @Test func theExampleVenueEnforcesItsRules() throws {
        let venue = try BinanceSimVenue(parameters: BinanceSimVenue.descriptor.validate([:]))
        let i = venue.instrument(base: "BTC", quote: "USDT")
        var x = SimulatedExchange(instrument: i, config: venue.simulation, fees: FixedFees(perFill: 0), cash: 1000)
        x.process(bar: Bar(time: 0, open: 100, high: 100, low: 100, close: 100, volume: 1), index: 0)
        let small = x.submit(.market(.buy, 0.01))  // 1 USDT < 5 minimum notional
        #expect(x.order(small)?.rejectReason == .belowMinNotional(notional: 1, minimum: 5))
    }

    /// A component registered under a built-in's name replaces it.
    struct LoudSMACross: Strategy {
        static let descriptor = ComponentDescriptor(name: "sma_cross", summary: "override", parameters: [])
        init(parameters: Parameters) throws(SpecError) {}
        mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) {
            if venue.position == 0 && venue.openOrders.isEmpty { venue.submit(.market(.buy, 1, tag: "override")) }
        }
    }

    @Test func aCustomComponentWithABuiltInsNameOverridesIt() throws {
        var r = Self.registry
        r.registerStrategy(LoudSMACross.self)
        #expect(r.strategies["sma_cross"]?.origin == .custom)
        #expect(r.strategies["sma_cross"]?.descriptor.summary == "override")
        let spec = RunSpec(
            exchange: .init(symbol: .init(base: "BTC", quote: "USDT")),
            strategy: ComponentRef(namespace: "strategies:sma_cross"))
        let stats = try run(spec, registry: r)
        #expect(stats.fills == 1 && stats.roundTrips == 0, "the override ran, not the built-in")
        // The built-in's parameters are no longer accepted: validation follows the override.
        var withParams = spec
        withParams.strategy.config = ["fast": .int(5)]
        #expect(throws: SpecError.self) { try r.resolve(withParams) }
    }
}

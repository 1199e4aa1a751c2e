import Foundation
import Testing

@testable import ATSEngine

/// ``CheckpointWriter`` writes what Foundation's encoder (``CheckpointCoding/encoder()``) writes,
/// byte for byte: checkpoints keep their form, so a worker of an earlier release resumes a job a
/// newer one checkpointed, and equal states still give equal bytes.
struct CheckpointWriterTests {
    static func foundation(_ value: some Encodable) throws -> [UInt8] {
        Array(try CheckpointCoding.encoder().encode(value))
    }

    static func written(_ write: (inout CheckpointWriter) throws -> Void) rethrows -> [UInt8] {
        var w = CheckpointWriter()
        try write(&w)
        return w.bytes
    }

    /// Doubles of every kind: random bit patterns (subnormals, huge, tiny), whole numbers on both
    /// sides of 2^53 and of the switch to exponents, negative zero, the non-finite ones.
    @Test func doublesAsFoundationWritesThem() throws {
        var rng = SeededRandom(seed: 7)
        var values: [Double] = [
            0, -0.0, 1, -1, 0.1, 0.5, 1e15, 1e16, 1e17, 123456789012345680, 9007199254740994, 1e-5, 1e-7,
            .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            .pi, 2.5e-308, 100_000, 0.30000000000000004, .nan, .infinity, -.infinity,
        ]
        for _ in 0..<20_000 { values.append(Double(bitPattern: rng.next())) }
        for _ in 0..<5_000 { values.append(Double(Int64(bitPattern: rng.next()) >> (rng.next() % 64))) }
        for _ in 0..<5_000 { values.append((rng.uniform() * 200_000).rounded() / 100) }
        let mine = Self.written { w in w.array(values) { $0.double($1) } }
        #expect(mine == (try Self.foundation(values)))
        for value in values.prefix(40) {  // one by one too: a mismatch names its value
            #expect(
                Self.written { $0.double(value) } == (try Self.foundation([value])).dropFirst().dropLast(), "\(value)")
        }
    }

    @Test func integersAsFoundationWritesThem() throws {
        var rng = SeededRandom(seed: 8)
        var values: [Int64] = [0, 1, -1, 9, 10, -10, .max, .min, .max - 1, .min + 1]
        for _ in 0..<10_000 { values.append(Int64(bitPattern: rng.next()) >> (rng.next() % 64)) }
        #expect(Self.written { w in w.array(values) { $0.int($1) } } == (try Self.foundation(values)))
        let small: [Int] = values.map { Int($0) }
        #expect(Self.written { w in w.array(small) { $0.int($1) } } == (try Self.foundation(small)))
    }

    /// Every ASCII character alone and in company, and text beyond ASCII.
    @Test func stringsEscapedAsFoundationEscapesThem() throws {
        var texts = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        texts += ["", "a/b\\c\"d", "tp \u{1F}x\u{7F}", "é ü 日本 🚀", "line\nbreak\ttab\r\u{8}\u{C}", "</script>"]
        var rng = SeededRandom(seed: 9)
        for _ in 0..<2_000 {
            texts.append(String(decoding: (0..<(rng.next() % 40)).map { _ in UInt8(rng.next() % 128) }, as: UTF8.self))
        }
        #expect(Self.written { w in w.array(texts) { $0.string($1) } } == (try Self.foundation(texts)))
    }

    /// Made once: a ``ReasonText`` lives in a process-wide ring that other tests turn over, so a
    /// text made per order could be gone between the writer's read and Foundation's.
    static let reasons: [RejectReason] = [
        .quantityNotPositive, .belowMinQuantity(quantity: 0.0001, minimum: 0.001),
        .belowMinNotional(notional: 4.2, minimum: 5), .missingLimitPrice, .missingStopPrice, .priceNotPositive,
        .insufficientBalance(asset: "USDT", needed: 1_000.5, free: 12), .wouldCrossAsMaker, .fillOrKillNotFilled,
        .unknownOrder, .invalidBracket(.stopLossOnTheProfitSide), .tagTooLong, .unsupportedOnVenue,
        .venueRefused(code: -2010), .staleMarket, .riskLimit("max position 2 \"BTC\" / day"),
    ]

    static func order(_ rng: inout SeededRandom) -> Order {
        func maybe<T>(_ value: T) -> T? { rng.next() % 2 == 0 ? value : nil }
        let tags: [InlineString] = [
            "", "entry", "tp/sl \"x\"", "é\\n", "line\nbreak", "0123456789012345678901234567890",
        ]
        return Order(
            id: Int64(rng.next() % 1_000_000), side: OrderSide.allCases.randomElement(using: &rng)!,
            type: OrderType.allCases.randomElement(using: &rng)!, quantity: rng.uniform() * 10,
            limitPrice: maybe(rng.uniform() * 60_000), stopPrice: maybe((rng.uniform() * 6e6).rounded() / 100),
            timeInForce: TimeInForce.allCases.randomElement(using: &rng)!, postOnly: rng.next() % 2 == 0,
            status: OrderStatus.allCases.randomElement(using: &rng)!, filledQuantity: Double(rng.next() % 5),
            averagePrice: rng.next() % 3 == 0 ? 0 : Double(bitPattern: rng.next()),
            createdAt: Int64(bitPattern: rng.next()) >> 10, createdBar: Int(rng.next() % 100_000),
            triggered: rng.next() % 2 == 0, rejectReason: maybe(Self.reasons.randomElement(using: &rng)!),
            tag: tags.randomElement(using: &rng)!, parentId: maybe(Int64(rng.next() % 1000)),
            ocoId: maybe(-Int64(rng.next() % 1000)), takeProfit: maybe(rng.uniform() * 1e5),
            stopLoss: maybe(rng.next() % 4 == 0 ? .nan : rng.uniform() * 1e4), held: rng.uniform() * 1e3)
    }

    @Test func ordersAsFoundationWritesThem() throws {
        var rng = SeededRandom(seed: 10)
        let orders = (0..<3_000).map { _ in Self.order(&rng) }
        let mine = try Self.written { w in try w.array(orders) { try $1.writeCheckpointJSON(into: &$0) } }
        #expect(mine == (try Self.foundation(orders)))
        // Each option both present and absent, each reject reason, somewhere among them.
        #expect(Set(orders.compactMap(\.rejectReason)).count == Self.reasons.count)
        let options: [(Order) -> Bool] = [
            { $0.limitPrice != nil }, { $0.stopPrice != nil }, { $0.parentId != nil }, { $0.ocoId != nil },
            { $0.takeProfit != nil }, { $0.stopLoss?.isNaN == false }, { $0.stopLoss?.isNaN == true },
            { $0.stopLoss != nil }, { $0.rejectReason != nil },
        ]
        for present in options { #expect(orders.contains(where: present) && !orders.allSatisfy(present)) }
    }

    /// The writers list every stored field by hand: a field added to ``Order`` or
    /// ``ExchangeState`` must be added to them too (and to this count).
    @Test func theWritersKnowEveryField() {
        var rng = SeededRandom(seed: 1)
        #expect(Mirror(reflecting: Self.order(&rng)).children.count == 21)
        // wallet, open, workingBounds (derived, not written), recentRing + recentStart (written as
        // `recent`), nextOrderId, nextSeq, barIndex, barTime, barClose, volumeByDay, rejectedOrders,
        // recentKept
        #expect(
            Mirror(reflecting: ExchangeState(wallet: Wallet(base: .init(free: 0), quote: .init(free: 1)))).children
                .count == 13)
    }

    /// The history of finished orders, oldest first, from empty through full to turned twice.
    @Test func finishedOrdersAsFoundationWritesThem() throws {
        var rng = SeededRandom(seed: 11)
        var state = ExchangeState(wallet: Wallet(base: .init(free: 0), quote: .init(free: 1_000)))
        for n in 0...(2 * ExchangeState.recentLimit + 3) {
            var w = CheckpointWriter()
            try state.writeRecent(into: &w)
            #expect(w.bytes == (try Self.foundation(state.recent)), "after \(n) finished orders")
            var o = Self.order(&rng)
            o.id = Int64(n)
            state.archive(o)
        }
        #expect(state.recent.first?.id == Int64(ExchangeState.recentLimit + 4))
    }

    /// Strategies whose state is not an object: one that encodes nothing (`{}` as a field of the
    /// checkpoint, where Foundation refuses it at the top level) and one that encodes a number.
    struct Silent: Strategy {
        static let descriptor = ComponentDescriptor(name: "silent", summary: "", parameters: [])
        init(parameters: Parameters) throws(SpecError) {}
        init(from decoder: any Decoder) throws {}
        func encode(to encoder: any Encoder) throws {}
        mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) {}
    }

    struct Counting: Strategy {
        static let descriptor = ComponentDescriptor(name: "counting", summary: "", parameters: [])
        var bars = 0
        init(parameters: Parameters) throws(SpecError) {}
        init(from decoder: any Decoder) throws { bars = try decoder.singleValueContainer().decode(Int.self) }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(bars)
        }
        mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) { bars += 1 }
    }

    /// A built-in strategy that keeps the default history of finished orders (the built-ins keep
    /// none), so whole runs fill and turn the ring.
    struct Keeping<Inner: Strategy>: Strategy {
        var inner: Inner
        static var descriptor: ComponentDescriptor { Inner.descriptor }
        init(parameters p: Parameters) throws(SpecError) { inner = try Inner(parameters: p) }
        mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) { inner.onBar(bar, venue: &venue) }
        mutating func onFill<V: TradingVenue>(_ fill: Fill, venue: inout V) { inner.onFill(fill, venue: &venue) }
    }

    @Test func strategiesOfAnyShapeAsFoundationWritesThem() throws {
        try compareRuns(Silent.self, [:], bars: 1_000, turning: false)
        try compareRuns(Counting.self, [:], bars: 1_000, turning: false)
        try compareRuns(NoopStrategy.self, [:], bars: 1_000, turning: false)
    }

    static let instrument = Instrument(
        base: "BTC", quote: "USDT", tickSize: 0.01, stepSize: 0.001, minQuantity: 0.001, minNotional: 5)

    /// Whole runs, checkpointed along the way: the bytes the engine writes are the ones
    /// Foundation's encoder writes for the same ``BacktestRun/Checkpoint``. The ring of finished
    /// orders is caught both before it is full and after it has turned.
    func compareRuns<S: Strategy>(
        _: S.Type, _ config: [String: ParameterValue], bars: Int = 6_000, turning: Bool = true
    ) throws {
        let series = SyntheticBars(seed: 42).generate(count: bars)
        var run = BacktestRun(
            strategy: try S(parameters: try Parameters(validating: config, against: S.descriptor.parameters)),
            exchange: SimulatedExchange(
                instrument: Self.instrument, config: SimulationConfig(), fees: GenericFees(rate: 0.001),
                cash: 100_000))
        var checked = 0
        var turned = false
        for until in stride(from: 0, through: bars, by: 500) {
            run.run(series, until: until)
            let reference = BacktestRun<S>.Checkpoint(
                version: BacktestRun<S>.Checkpoint.currentVersion, cursor: run.cursor, strategy: run.strategy,
                exchange: run.exchange.state, tracker: run.tracker)
            let mine = Array(try run.checkpoint())
            #expect(mine == (try Self.foundation(reference)), "\(S.self) at bar \(until)")
            // And it reads back into the state it came from.
            let back = try CheckpointCoding.decoder().decode(BacktestRun<S>.Checkpoint.self, from: Data(mine))
            #expect(back.exchange == run.exchange.state && back.cursor == run.cursor)
            checked += 1
            // More orders finished than the history keeps: its oldest slot has been written over.
            let kept = run.exchange.state.recentKept
            if kept > 0 && run.exchange.orderCount - run.exchange.state.open.count > kept { turned = true }
        }
        #expect(checked > 1)
        #expect(
            turned || !turning,
            "\(S.self): the ring of finished orders never turned (\(run.exchange.orderCount) orders)")
    }

    @Test func runsCheckpointAsFoundationWritesThem() throws {
        try compareRuns(Keeping<SMACross>.self, ["fast": .int(5), "slow": .int(30)])
        // Brackets: parents, one-cancels-other.
        try compareRuns(Keeping<SimpleMA>.self, ["std_period": .int(20)])
        // Limits, rejections.
        try compareRuns(Keeping<SimpleRandom>.self, ["seed": .int(3), "probability": .double(0.3)])
        try compareRuns(Keeping<GridStrategy>.self, ["levels": .int(8)])  // many working orders
        // As the built-ins run: no history at all.
        try compareRuns(SimpleRandom.self, ["seed": .int(3), "probability": .double(0.3)], turning: false)
    }
}

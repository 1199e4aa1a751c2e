/// The seed's `simple` strategy: random orders, for exercising exchanges and the pipeline. Each bar,
/// with probability `probability`, it buys or sells a random fraction (up to `max_fraction`) of
/// what it can, at market or as a limit `limit_offset` away from the close. Seeded: the same seed
/// gives the same orders.
public struct SimpleRandom: Strategy {
    var random: SeededRandom
    var probability: Double
    var maxFraction: Double
    var useLimits: Bool
    var limitOffset: Double

    public static var finishedOrdersKept: Int { 0 }  // it never asks for a finished order

    public static let descriptor = ComponentDescriptor(
        name: "simple",
        summary: "Random orders from a seeded generator (the seed's test strategy for exchanges).",
        parameters: [
            .int("seed", default: 1, range: 0...Int.max, "random seed"),
            .double("probability", default: 0.02, range: 0...1, "chance of an order on each bar"),
            .double("max_fraction", default: 0.2, range: 0...1, "largest order as a fraction of what can be traded"),
            .choice("order_type", default: "market", ["market", "limit"], "market or limit orders"),
            .double("limit_offset", default: 0.001, range: 0...0.5, "limit distance from the close, as a fraction"),
        ])

    public init(parameters p: Parameters) throws(SpecError) {
        random = SeededRandom(seed: UInt64(p.int("seed")))
        probability = p.double("probability")
        maxFraction = p.double("max_fraction")
        useLimits = p.string("order_type") == "limit"
        limitOffset = p.double("limit_offset")
    }

    public mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) {
        guard random.uniform() < probability else { return }
        let buy = random.uniform() < 0.5
        let share = random.uniform() * maxFraction
        let quantity =
            buy
            ? venue.quantity(forEquityFraction: share, at: bar.close)
            : venue.instrument.roundQuantity(max(0, venue.wallet.base.free) * share)
        guard quantity > venue.flatTolerance else { return }
        if useLimits {
            let price = bar.close * (buy ? 1 - limitOffset : 1 + limitOffset)
            venue.submit(.limit(buy ? .buy : .sell, quantity, at: price, tag: "random"))
        } else {
            venue.submit(.market(buy ? .buy : .sell, quantity, tag: "random"))
        }
    }
}

/// Dollar-cost averaging: buy a fixed quote amount every `interval` bars; optionally sell everything
/// once the price is `take_profit` above the average entry, then start again.
public struct DCAStrategy: Strategy {
    var interval: Int
    var amount: Double
    var takeProfit: Double
    var bars: Int = 0
    var cost: Double = 0
    var units: Double = 0

    public static var finishedOrdersKept: Int { 0 }  // it never asks for a finished order

    public static let descriptor = ComponentDescriptor(
        name: "dca",
        summary: "Buy a fixed quote amount every N bars; sell all at a take-profit over the average entry.",
        parameters: [
            .int("interval", default: 1440, range: 1...10_000_000, "bars between purchases"),
            .double("amount", default: 1000, range: 0...1e12, "quote spent per purchase"),
            .double(
                "take_profit", default: 0, range: 0...100, "sell everything this far above the average entry (0: never)"
            ),
        ])

    public init(parameters p: Parameters) throws(SpecError) {
        interval = p.int("interval")
        amount = p.double("amount")
        takeProfit = p.double("take_profit")
    }

    public mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) {
        defer { bars += 1 }
        if takeProfit > 0, units > 0, venue.positionSign > 0, bar.close >= cost / units * (1 + takeProfit),
            venue.openOrders.isEmpty
        {
            PositionTarget.move(to: 0, venue: &venue, tag: "take_profit")
            return
        }
        guard bars % interval == 0, venue.wallet.quote.free >= amount else { return }
        let quantity = venue.instrument.roundQuantity(amount / bar.close)
        guard quantity > venue.flatTolerance else { return }
        venue.submit(.market(.buy, quantity, tag: "dca"))
    }

    public mutating func onFill<V: TradingVenue>(_ fill: Fill, venue: inout V) {
        if fill.side == .buy {
            cost += fill.price * fill.quantity
            units += fill.quantity
        } else {
            cost = 0
            units = 0
        }
    }
}

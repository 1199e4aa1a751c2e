/// A grid: resting limit orders `spacing` apart around a centre price. A filled buy at one level
/// places a sell one level up (taking the spacing as profit), a filled sell places a buy one level
/// down. The grid re-centres when the price leaves it by more than `levels` steps with no position.
public struct GridStrategy: Strategy {
    var spacing: Double
    var levels: Int
    var quantity: Double
    var centre: Double = 0

    public static var finishedOrdersKept: Int { 0 }  // it never asks for a finished order

    public static let descriptor = ComponentDescriptor(
        name: "grid",
        summary: "Buy-low/sell-high limit grid around a centre price, re-centred when the price leaves it.",
        parameters: [
            .double(
                "spacing", default: 0.005, range: 0.00001...0.5, "distance between levels, as a fraction of the centre"),
            .int("levels", default: 5, range: 1...200, "buy levels below the centre"),
            .double("quantity", default: 1, range: 0...1e12, "base quantity per level"),
        ])

    public init(parameters p: Parameters) throws(SpecError) {
        spacing = p.double("spacing")
        levels = p.int("levels")
        quantity = p.double("quantity")
    }

    func level(_ k: Int) -> Double { centre * (1 + spacing * Double(k)) }

    public mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) {
        let flat = venue.positionSign == 0
        let outside = centre == 0 || bar.close > level(levels) || bar.close < level(-levels)
        guard flat && outside else { return }
        // (Re)build the grid: cancel what rests, then place the buys below the price.
        venue.cancelAll()
        centre = bar.close
        for k in 1...levels {
            venue.submit(.limit(.buy, quantity, at: level(-k), tag: "grid_buy"))
        }
    }

    public mutating func onFill<V: TradingVenue>(_ fill: Fill, venue: inout V) {
        guard centre > 0 else { return }
        let k = Int(((fill.price / centre - 1) / spacing).rounded())
        if fill.side == .buy {
            venue.submit(.limit(.sell, fill.quantity, at: level(k + 1), tag: "grid_sell"))
        } else {
            venue.submit(.limit(.buy, fill.quantity, at: level(k - 1), tag: "grid_buy"))
        }
    }
}

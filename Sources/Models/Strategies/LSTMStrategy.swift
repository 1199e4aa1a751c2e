import ATSEngine

/// The seed's LSTM strategy, for any model the `model` indicator runs: each bar the model
/// predicts the next move (a return, or a price with `target=price`); beyond `threshold` it
/// enters long (or short, with `go_short`) with a bracket whose take-profit and stop-loss sit
/// `tp_std` and `sl_std` standard deviations of the close away, sized as a share of equity. A
/// prediction beyond `exit_threshold` against the position closes it (and its bracket), and
/// `liquidate_share` closes a position whose value passes that share of equity (``Liquidation``).
public struct LSTMStrategy: Strategy {
    var model: ModelIndicator
    var std: StdDev
    var predictsPrice: Bool
    var threshold: Double
    var exitThreshold: Double
    var takeProfitStd: Double
    var stopLossStd: Double
    var goLong: Bool
    var goShort: Bool
    var orderValue: Double
    /// Liquidation on a drifting balance (nil: off).
    var liquidation: Liquidation?

    public static let plots = [
        PlotSeries("prediction", pane: .below), PlotSeries("enter long above", pane: .below),
        PlotSeries("enter short below", pane: .below),
    ]

    public func plot(_ k: Int) -> Double {
        switch k {
        case 0: model.output(0)
        case 1: predictsPrice ? .nan : threshold
        default: predictsPrice ? .nan : -threshold
        }
    }

    public static var finishedOrdersKept: Int { 0 }  // it never asks for a finished order

    public static let descriptor = ComponentDescriptor(
        name: "lstm",
        summary: "Long/short on a trained model's predicted move beyond a threshold, with a TP/SL bracket.",
        parameters: ModelSpec.parameters + [
            .choice(
                "target", default: "return", ["return", "price"], "what the model predicts: the next return or price"),
            .double("threshold", default: 0.001, range: 0...1_000, "enter when the predicted move is beyond this"),
            .double(
                "exit_threshold", default: 0.001, range: 0...1_000,
                "close when the predicted move is beyond this against the position"),
        ] + StdDevBracket.parameters)

    public init(parameters p: Parameters) throws(SpecError) {
        try StdDevBracket.validate(p)
        model = try ModelIndicator(parameters: p)
        std = StdDev(period: p.int("std_period"))
        predictsPrice = p.string("target") == "price"
        threshold = p.double("threshold")
        exitThreshold = p.double("exit_threshold")
        takeProfitStd = p.double("tp_std")
        stopLossStd = p.double("sl_std")
        goLong = p.bool("go_long")
        goShort = p.bool("go_short")
        orderValue = p.double("order_value_pct")
        liquidation = try Liquidation(p)
    }

    public static func sellsShort(_ p: Parameters) -> Bool { p.bool("go_short") }

    public mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) {
        let sd = std.update(bar.close)
        let ready = model.update(bar)
        guard !(liquidation?.check(close: bar.close, venue: &venue) ?? false), ready else { return }
        let prediction = model.output(0)
        let move = predictsPrice ? prediction / bar.close - 1 : prediction
        guard move.isFinite else { return }
        let side = venue.positionSign
        if (side > 0 && move < -exitThreshold) || (side < 0 && move > exitThreshold) {
            // One exit at a time: a second, sent while the first is working, could reverse the
            // position once both fill.
            guard !venue.openOrders.contains(where: { $0.tag == "exit" }) else { return }
            venue.cancelAll()
            PositionTarget.move(to: 0, venue: &venue, tag: "exit")
            return
        }
        guard side == 0, venue.openOrders.isEmpty, let sd, sd > 0 else { return }
        let entry: OrderSide
        if move > threshold && goLong {
            entry = .buy
        } else if move < -threshold && goShort {
            entry = .sell
        } else {
            return
        }
        StdDevBracket.enter(
            entry, close: bar.close, sd: sd, takeProfitStd: takeProfitStd, stopLossStd: stopLossStd,
            orderValue: orderValue, venue: &venue)
    }
}

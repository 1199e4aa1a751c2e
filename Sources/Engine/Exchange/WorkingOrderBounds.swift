/// The prices at which the working orders would react, summarised so that a bar can be checked
/// against all of them at once: a bar whose range reaches none of these bounds fills, triggers and
/// cancels nothing, and the exchange does not match it. When a bar may reach them, the matcher runs
/// exactly as without the summary, so fills and their bits do not depend on it.
///
/// Conservative by construction: an order whose reaction does not depend on the bar's range
/// (market orders, triggered stops, immediate-or-cancel and fill-or-kill orders, which end after
/// their first bar, and finished orders waiting to be swept) makes every bar a match.
struct WorkingOrderBounds: Sendable {
    var matchEveryBar = false
    /// A buy limit fills once a bar's low reaches it, a sell limit once its high does.
    var highestBuyLimit = -Double.infinity
    var lowestSellLimit = Double.infinity
    /// A buy stop triggers once a bar's high reaches it, a sell stop once its low does.
    var lowestBuyStop = Double.infinity
    var highestSellStop = -Double.infinity

    init(_ orders: [Order]) {
        for o in orders {
            guard o.status.isOpen, o.timeInForce == .gtc else {
                matchEveryBar = true
                return
            }
            let buy = o.side == .buy
            switch (o.type, o.triggered) {
            case (.market, _), (.stop, true):
                matchEveryBar = true
                return
            case (.stop, false), (.stopLimit, false):
                guard let stop = o.stopPrice else {
                    matchEveryBar = true
                    return
                }
                if buy {
                    lowestBuyStop = min(lowestBuyStop, stop)
                } else {
                    highestSellStop = max(highestSellStop, stop)
                }
            case (.limit, _), (.stopLimit, true):
                guard let limit = o.limitPrice else {
                    matchEveryBar = true
                    return
                }
                if buy {
                    highestBuyLimit = max(highestBuyLimit, limit)
                } else {
                    lowestSellLimit = min(lowestSellLimit, limit)
                }
            }
        }
    }

    /// False only when the bar certainly leaves every working order as it is.
    @inline(__always)
    func mayBeReached(low: Double, high: Double) -> Bool {
        matchEveryBar || low <= highestBuyLimit || high >= lowestSellLimit || high >= lowestBuyStop
            || low <= highestSellStop
    }
}

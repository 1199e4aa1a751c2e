/// What a strategy sees of the exchange: balances, orders and the means to place and cancel them.
///
/// Strategies are generic over the venue, so a backtest against ``SimulatedExchange`` compiles to
/// direct calls, and the same strategy runs unchanged against paper and live venues.
public protocol TradingVenue {
    var instrument: Instrument { get }
    var wallet: Wallet { get }
    /// Index of the bar being processed.
    var barIndex: Int { get }
    /// Working orders, oldest first.
    var openOrders: [Order] { get }
    func order(_ id: OrderID) -> Order?
    /// Submits an order. A rejected order still gets an id; its status says `REJECTED` and why.
    @discardableResult
    mutating func submit(_ request: OrderRequest) -> OrderID
    /// Cancels a working order. Returns false when the order is not open.
    @discardableResult
    mutating func cancel(_ id: OrderID) -> Bool
    /// Changes the quantity and/or prices of a working order, keeping its id.
    @discardableResult
    mutating func modify(_ id: OrderID, quantity: Double?, limitPrice: Double?, stopPrice: Double?) -> Bool
}

extension TradingVenue {
    /// The signed base position (negative when short).
    @inlinable
    public var position: Double { wallet.base.total }

    /// Positions smaller than this count as flat: half a step (float residue of fills never
    /// reaches it).
    @inlinable
    public var flatTolerance: Double { max(instrument.stepSize / 2, 1e-12) }

    /// +1 long, -1 short, 0 flat.
    @inlinable
    public var positionSign: Int {
        let p = position
        return p > flatTolerance ? 1 : p < -flatTolerance ? -1 : 0
    }

    /// Cancels every working order.
    public mutating func cancelAll() {
        for o in openOrders { cancel(o.id) }
    }

    /// The quantity worth `fraction` of the account's equity at `price`, rounded down to the step
    /// size.
    @inlinable
    public func quantity(forEquityFraction fraction: Double, at price: Double) -> Double {
        guard price > 0 else { return 0 }
        return instrument.roundQuantity(wallet.equity(at: price) * fraction / price)
    }
}

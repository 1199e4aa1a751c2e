/// A spot account in one instrument: the base asset (what is traded) and the quote asset (cash).
/// With short selling allowed the base balance may go negative (borrowed, without interest).
public struct Wallet: Sendable, Hashable, Codable {
    public var base: Balance
    public var quote: Balance

    public init(base: Balance, quote: Balance) {
        self.base = base
        self.quote = quote
    }

    /// Quote value of everything at `price`.
    @inlinable
    public func equity(at price: Double) -> Double {
        quote.total + base.total * price
    }
}

/// What a fee model is told about one execution.
public struct TradeInfo: Sendable, Hashable {
    public var side: OrderSide
    public var orderType: OrderType
    public var liquidity: Liquidity
    public var price: Double
    public var quantity: Double
    /// Quote volume traded in the 30 days before this fill (for tiered schedules); 0 for models
    /// whose ``FeeModel/usesTrailingVolume`` is false.
    public var trailingVolume: Double

    public init(
        side: OrderSide, orderType: OrderType, liquidity: Liquidity, price: Double, quantity: Double,
        trailingVolume: Double
    ) {
        self.side = side
        self.orderType = orderType
        self.liquidity = liquidity
        self.price = price
        self.quantity = quantity
        self.trailingVolume = trailingVolume
    }

    @inlinable
    public var notional: Double { price * quantity }
}

/// A fee charged in base and/or in quote.
public struct FeeCharge: Sendable, Hashable {
    public var base: Double
    public var quote: Double

    public init(base: Double = 0, quote: Double = 0) {
        self.base = base
        self.quote = quote
    }

    public static let zero = FeeCharge()
}

/// Computes the fee of an execution. Fee models are immutable configuration: the exchange keeps the
/// state they need (trailing volume), so checkpoints never have to serialise them.
///
/// Register a custom model with ``Registry/registerFeeModel(_:)``; a model registered under a
/// built-in's name replaces it.
public protocol FeeModel: Sendable {
    /// The model's registry name and its parameters.
    static var descriptor: ComponentDescriptor { get }
    init(parameters: Parameters) throws(SpecError)
    func fee(for trade: TradeInfo) -> FeeCharge
    /// Whether ``fee(for:)`` reads ``TradeInfo/trailingVolume``; true unless a model says
    /// otherwise, so the sum over the last 30 days is only skipped for models that never read it.
    var usesTrailingVolume: Bool { get }
}

extension FeeModel {
    public var usesTrailingVolume: Bool { true }
}

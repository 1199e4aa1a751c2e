/// How an order executes.
public enum OrderType: String, Sendable, Hashable, Codable, CaseIterable {
    /// Executes at the best available price.
    case market = "MARKET"
    /// Executes at `limitPrice` or better.
    case limit = "LIMIT"
    /// Becomes a market order once the price trades through `stopPrice`.
    case stop = "STOP"
    /// Becomes a limit order at `limitPrice` once the price trades through `stopPrice`.
    case stopLimit = "STOP_LIMIT"
}

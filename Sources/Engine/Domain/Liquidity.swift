/// Whether a fill added liquidity (a resting limit order) or took it.
public enum Liquidity: String, Sendable, Hashable, Codable {
    case maker = "MAKER"
    case taker = "TAKER"
}

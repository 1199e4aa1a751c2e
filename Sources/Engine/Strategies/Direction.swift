/// Which positions a strategy may hold.
public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Long or flat: a sell signal closes the long.
    case longOnly = "long_only"
    /// Long or short: a signal against the position reverses it.
    case longShort = "long_short"

    static let parameter = ParameterSpec.choice(
        "direction", default: "long_only", allCases.map(\.rawValue), "long_only, or long_short to reverse on signals")
}

/// How long an order stays working.
public enum TimeInForce: String, Sendable, Hashable, Codable, CaseIterable {
    /// Good till canceled.
    case gtc = "GTC"
    /// Immediate or cancel: what cannot fill on the first bar it may fill on is canceled.
    case ioc = "IOC"
    /// Fill or kill: fills completely on the first bar it may fill on, or is canceled whole.
    case fok = "FOK"
}

/// How a job trades.
public enum JobMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Over historical bars, as fast as the machine goes.
    case backtest
    /// Simulated fills against bars that arrive at wall-clock pace.
    case paper
    /// Real orders on a venue.
    case live
}

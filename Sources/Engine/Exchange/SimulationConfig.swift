/// How the simulated exchange turns bars into fills. Every choice is explicit, so a backtest says
/// exactly what it assumed.
public struct SimulationConfig: Sendable, Hashable, Codable {
    /// When market orders fill.
    public enum MarketFill: String, Sendable, Hashable, Codable, CaseIterable {
        /// At the open of the bar after the signal (default): no look-ahead.
        case nextOpen = "next_open"
        /// At the close of the bar the strategy saw (the seed's behaviour; what vectorbt's
        /// `from_signals` does by default). Optimistic: the strategy trades at a price it just used.
        case close
    }

    public var marketFill: MarketFill
    /// Share of a bar's volume the run may trade in that bar (0 < share ≤ 1); 0 means no cap.
    /// Orders beyond the cap fill partially and keep working.
    public var maxVolumeShare: Double
    /// Adverse slippage on fills that take liquidity (market, stop, marketable limit): a number of
    /// ticks plus a fraction of the price.
    public var slippageTicks: Double
    public var slippageFraction: Double
    /// Allows selling more base than is held (a negative position, borrowed without interest).
    public var allowShort: Bool

    public init(
        marketFill: MarketFill = .nextOpen, maxVolumeShare: Double = 0, slippageTicks: Double = 0,
        slippageFraction: Double = 0, allowShort: Bool = false
    ) {
        self.marketFill = marketFill
        self.maxVolumeShare = maxVolumeShare
        self.slippageTicks = slippageTicks
        self.slippageFraction = slippageFraction
        self.allowShort = allowShort
    }
}

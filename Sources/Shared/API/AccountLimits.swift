/// An account's risk budget, shared by every live job that trades with its credential
/// (`PUT /api/credentials/{credential}/limits`, `ats credentials limits`), and what its running
/// jobs use of it (in answers only).
public struct AccountLimits: Sendable, Codable, Hashable {
    /// The most the account's live jobs may hold and have on order together (quote).
    public var maxGrossExposure: Double?
    /// How much the account's live jobs may lose together since the UTC day began (quote);
    /// beyond it they may only reduce their positions.
    public var maxDailyLoss: Double?
    public var exposure: Double?
    public var dayPnl: Double?

    public init(
        maxGrossExposure: Double? = nil, maxDailyLoss: Double? = nil, exposure: Double? = nil, dayPnl: Double? = nil
    ) {
        self.maxGrossExposure = maxGrossExposure
        self.maxDailyLoss = maxDailyLoss
        self.exposure = exposure
        self.dayPnl = dayPnl
    }

    enum CodingKeys: String, CodingKey {
        case maxGrossExposure = "max_gross_exposure"
        case maxDailyLoss = "max_daily_loss"
        case exposure
        case dayPnl = "day_pnl"
    }

    /// Which field is wrong and why.
    public func problem() -> (field: String, reason: String)? {
        for (name, value) in [("max_gross_exposure", maxGrossExposure), ("max_daily_loss", maxDailyLoss)] {
            if let value, !(value.isFinite && value > 0) { return (name, "must be a positive number, got \(value)") }
        }
        return nil
    }

    public var summary: String {
        let parts = [
            maxGrossExposure.map { "max_gross_exposure=\($0)" }, maxDailyLoss.map { "max_daily_loss=\($0)" },
        ].compactMap { $0 }
        return parts.isEmpty ? "no limits" : parts.joined(separator: " ")
    }
}

import ATSEngine

/// A live job's risk limits, checked before an order's intent is written (docs/LIVE.md, "Risk").
/// Each is optional; amounts are in the quote asset, positions in the base asset.
///
/// ```json
/// "risk": {"max_order_notional": 500, "max_position": 0.05, "max_daily_loss": 100,
///          "max_orders_per_minute": 10, "max_consecutive_rejects": 5}
/// ```
public struct RiskLimits: Sendable, Hashable, Codable {
    /// The most one order may be worth, at its limit price or the last close.
    public var maxOrderNotional: Double?
    /// The most base the job may hold after an order fills.
    public var maxPosition: Double?
    /// How far the job's equity may fall below where it stood at the UTC day's first candle: at
    /// that loss the job only reduces its position until the next day.
    public var maxDailyLoss: Double?
    /// Orders the job may send in any 60 seconds; more are refused.
    public var maxOrdersPerMinute: Int?
    /// Venue rejections in a row after which the job halts (something is wrong with it).
    public var maxConsecutiveRejects: Int?

    public init(
        maxOrderNotional: Double? = nil, maxPosition: Double? = nil, maxDailyLoss: Double? = nil,
        maxOrdersPerMinute: Int? = nil, maxConsecutiveRejects: Int? = nil
    ) {
        self.maxOrderNotional = maxOrderNotional
        self.maxPosition = maxPosition
        self.maxDailyLoss = maxDailyLoss
        self.maxOrdersPerMinute = maxOrdersPerMinute
        self.maxConsecutiveRejects = maxConsecutiveRejects
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxOrderNotional = "max_order_notional"
        case maxPosition = "max_position"
        case maxDailyLoss = "max_daily_loss"
        case maxOrdersPerMinute = "max_orders_per_minute"
        case maxConsecutiveRejects = "max_consecutive_rejects"
    }

    /// The names `ats job create --risk NAME=VALUE` takes.
    public static let names = CodingKeys.allCases.map(\.rawValue)

    /// The limits set, as `name=value` words.
    public var summary: String {
        let set: [(CodingKeys, String?)] = [
            (.maxOrderNotional, maxOrderNotional.map { "\($0)" }), (.maxPosition, maxPosition.map { "\($0)" }),
            (.maxDailyLoss, maxDailyLoss.map { "\($0)" }), (.maxOrdersPerMinute, maxOrdersPerMinute.map { "\($0)" }),
            (.maxConsecutiveRejects, maxConsecutiveRejects.map { "\($0)" }),
        ]
        let words = set.compactMap { key, value in value.map { "\(key.rawValue)=\($0)" } }
        return words.isEmpty ? "none" : words.joined(separator: " ")
    }

    /// Why these cannot be limits, with the field; nil when they can.
    public func problem() -> (field: String, reason: String)? {
        for (key, value) in [
            (CodingKeys.maxOrderNotional, maxOrderNotional), (.maxPosition, maxPosition),
            (.maxDailyLoss, maxDailyLoss),
        ] {
            if let value, !(value.isFinite && value > 0) {
                return ("risk.\(key.rawValue)", "must be a positive number, got \(value)")
            }
        }
        for (key, value) in [
            (CodingKeys.maxOrdersPerMinute, maxOrdersPerMinute), (.maxConsecutiveRejects, maxConsecutiveRejects),
        ] {
            if let value, value < 1 { return ("risk.\(key.rawValue)", "must be at least 1, got \(value)") }
        }
        return nil
    }

    /// Sets one limit by its name (`max_position=0.05`).
    public mutating func set(_ name: String, _ text: String) throws(SpecError) {
        let field = "risk.\(name)"
        guard let key = CodingKeys(rawValue: name) else {
            throw SpecError(field: field, reason: "unknown limit; one of \(Self.names.joined(separator: ", "))")
        }
        func number() throws(SpecError) -> Double {
            guard let v = Double(text) else {
                throw SpecError(field: field, reason: "expected a number, got \"\(text)\"")
            }
            return v
        }
        func whole() throws(SpecError) -> Int {
            guard let v = Int(text) else {
                throw SpecError(field: field, reason: "expected a whole number, got \"\(text)\"")
            }
            return v
        }
        switch key {
        case .maxOrderNotional: maxOrderNotional = try number()
        case .maxPosition: maxPosition = try number()
        case .maxDailyLoss: maxDailyLoss = try number()
        case .maxOrdersPerMinute: maxOrdersPerMinute = try whole()
        case .maxConsecutiveRejects: maxConsecutiveRejects = try whole()
        }
    }
}

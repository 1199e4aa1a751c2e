/// Puts a symbol's closed candles in order, each once, with none missing: the stream repeats
/// and skips (a reconnect, a slow consumer), so a candle after a gap asks for a refill from REST
/// first. Pure: the stream's driver does the fetching.
public struct KlineSequencer: Sendable, Equatable {
    public let length: Int64
    /// The open time of the last candle handed on.
    public private(set) var lastOpenTime: Int64?

    public enum Step: Sendable, Equatable {
        /// Hand it on.
        case emit
        /// Already handed on, or not closed yet.
        case skip
        /// Candles from this open time up to the offered one's are missing: fetch them, offer
        /// them, then offer this one again.
        case refill(fromOpenTime: Int64)
    }

    public init(length: Int64, lastOpenTime: Int64? = nil) {
        self.length = length
        self.lastOpenTime = lastOpenTime
    }

    public mutating func offer(_ k: BinanceKline) -> Step {
        guard k.isClosed else { return .skip }
        if let last = lastOpenTime {
            if k.openTime <= last { return .skip }
            if k.openTime > last + length { return .refill(fromOpenTime: last + length) }
        }
        lastOpenTime = k.openTime
        return .emit
    }

    /// After a refill could not supply what was missing (the venue has no candles there): go on
    /// from the offered one.
    public mutating func acceptGap(before k: BinanceKline) { lastOpenTime = k.openTime - length }
}

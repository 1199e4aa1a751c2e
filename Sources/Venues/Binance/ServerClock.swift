/// The venue's clock as seen from here (rest-api.md "Timing security": a SIGNED request's
/// `timestamp` must be within `recvWindow` of the venue's time and not 1 s ahead of it). Each
/// `GET /api/v3/time` gives a sample: the venue's time between when the request left and when
/// the answer came back; the offset is taken at the round trip's midpoint, and the tightest
/// recent sample wins (a slow round trip bounds the offset loosely).
public struct ServerClock: Sendable, Equatable {
    /// The venue's time minus ours, in milliseconds.
    public private(set) var offsetMs: Int64 = 0
    /// The round trip of the sample the offset comes from (its uncertainty is half of it).
    public private(set) var roundTripMs: Int64?
    private var sampledAtMs: Int64 = 0
    /// A sample older than this gives way to any newer one (clocks drift).
    public let maximumAgeMs: Int64

    public init(maximumAgeMs: Int64 = 300_000) { self.maximumAgeMs = maximumAgeMs }

    /// A sample: the request left at `sentAtMs` and its answer arrived at `receivedAtMs` (ours),
    /// saying `serverTimeMs`.
    public mutating func observe(sentAtMs: Int64, serverTimeMs: Int64, receivedAtMs: Int64) {
        let rtt = max(0, receivedAtMs - sentAtMs)
        let stale = receivedAtMs - sampledAtMs > maximumAgeMs
        guard roundTripMs == nil || stale || rtt <= roundTripMs! else { return }
        offsetMs = serverTimeMs - (sentAtMs + rtt / 2)
        roundTripMs = rtt
        sampledAtMs = receivedAtMs
    }

    /// The venue's time now, given ours.
    public func venueTime(localMs: Int64) -> Int64 { localMs + offsetMs }

    /// Forget the samples (after a -1021: the venue says our idea of its time is wrong).
    public mutating func invalidate() { roundTripMs = nil }
}

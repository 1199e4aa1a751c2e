import ATSShared

/// What a job on a live market saw and did, as stored: its spec and revisions, the candles of its
/// span, its fills, and for a live job the venue's executions and its intents' decision times.
public struct JobRecording: Sendable {
    public var job: JobRecord
    public var spec: JobSpec
    public var market: MarketSource
    /// The open time of the job's bar 0 and of the last candle it traded (nil: none recorded).
    public var originMs: Int64?
    public var throughMs: Int64?
    public var revisions: [RevisionPlan.Revision] = []
    public var candles: [SeenCandle] = []
    public var fills: [FillRow] = []
    public var trades: [Divergence.Trade] = []
    public var decidedAtMs: [String: Int64] = [:]
    /// The open time of the candle each intent was decided on.
    public var candleOpenMs: [String: Int64] = [:]
    /// A live job's venue rules, which the replay fits orders to as the live run did.
    public var rules: VenueRules?

    public struct VenueRules: Sendable, Equatable {
        public var tickSize: Double
        public var stepSize: Double
        public var minQuantity: Double
        public var minNotional: Double

        public init(tickSize: Double, stepSize: Double, minQuantity: Double, minNotional: Double) {
            self.tickSize = tickSize
            self.stepSize = stepSize
            self.minQuantity = minQuantity
            self.minNotional = minNotional
        }
    }

    public init(job: JobRecord, spec: JobSpec, market: MarketSource, originMs: Int64?, throughMs: Int64?) {
        self.job = job
        self.spec = spec
        self.market = market
        self.originMs = originMs
        self.throughMs = throughMs
    }
}

import Foundation

/// What a job on a live market did against what the backtest engine does over the same candles
/// with the same spec (`ats job divergence`, `GET /api/jobs/{job}/divergence`; docs/LIVE.md
/// "Divergence"). Orders are paired by the engine's order id (both sides number orders as the
/// strategy makes them), and their fills one by one. A paper job's run is the replay, bit for
/// bit; a live job's differs by what the venue did: its prices (slippage), its timing (latency),
/// its partial fills and its fees.
public struct DivergenceReport: Sendable, Codable, Hashable {
    public var jobId: Int64
    public var job: String
    public var mode: String
    /// `SYMBOL@interval endpoint`.
    public var market: String
    /// The candles replayed (the job's span of the recording), and the open times of the first
    /// and last.
    public var candles: Int
    public var fromMs: Int64?
    public var throughMs: Int64?
    /// Candles of the span the recording lacks (0 unless candles were lost before storage).
    public var missingCandles: Int
    /// A running job's candles traded since it last sent its recording (before its next
    /// checkpoint): not in this replay yet.
    public var unsentCandles: Int
    /// A live job's venue rules the replay fitted orders to (nil: the spec's instrument).
    public var venueRules: String?
    public var summary: Summary
    public var orders: [Order]

    public init(
        jobId: Int64, job: String, mode: String, market: String, candles: Int, fromMs: Int64?, throughMs: Int64?,
        missingCandles: Int, unsentCandles: Int = 0, venueRules: String?, summary: Summary, orders: [Order]
    ) {
        self.jobId = jobId
        self.job = job
        self.mode = mode
        self.market = market
        self.candles = candles
        self.fromMs = fromMs
        self.throughMs = throughMs
        self.missingCandles = missingCandles
        self.unsentCandles = unsentCandles
        self.venueRules = venueRules
        self.summary = summary
        self.orders = orders
    }

    enum CodingKeys: String, CodingKey {
        case jobId = "job_id"
        case job
        case mode
        case market
        case candles
        case fromMs = "from_ms"
        case throughMs = "through_ms"
        case missingCandles = "missing_candles"
        case unsentCandles = "unsent_candles"
        case venueRules = "venue_rules"
        case summary
        case orders
    }

    /// The totals a trader reads first.
    public struct Summary: Sendable, Codable, Hashable {
        /// Orders with fills on both sides, on the job's side only, on the replay's only.
        public var matchedOrders = 0
        public var jobOnlyOrders = 0
        public var replayOnlyOrders = 0
        public var jobFills = 0
        public var replayFills = 0
        /// Every fill equal in time, price, quantity and fees, none unpaired.
        public var identical = true
        /// P&L in the quote asset from the job's allocation to its fills, valued at the last
        /// candle's close, for the job and for the replay.
        public var jobPnl = 0.0
        public var replayPnl = 0.0
        public var jobFees = 0.0
        public var replayFees = 0.0
        /// What the job's prices cost against the replay's on the matched quantity (quote asset;
        /// positive: the job paid more).
        public var slippageCost = 0.0
        /// Volume-weighted and worst slippage of matched orders, in basis points (positive: worse
        /// for the trader).
        public var meanSlippageBps: Double?
        public var worstSlippageBps: Double?
        /// A live job's latencies (ms): from the close of the candle it decided on to the order's
        /// decision, and from the decision to the venue's first execution; median and worst.
        public var medianDecisionLatencyMs: Int64?
        public var worstDecisionLatencyMs: Int64?
        public var medianVenueLatencyMs: Int64?
        public var worstVenueLatencyMs: Int64?

        public init() {}

        enum CodingKeys: String, CodingKey {
            case matchedOrders = "matched_orders"
            case jobOnlyOrders = "job_only_orders"
            case replayOnlyOrders = "replay_only_orders"
            case jobFills = "job_fills"
            case replayFills = "replay_fills"
            case identical
            case jobPnl = "job_pnl"
            case replayPnl = "replay_pnl"
            case jobFees = "job_fees"
            case replayFees = "replay_fees"
            case slippageCost = "slippage_cost"
            case meanSlippageBps = "mean_slippage_bps"
            case worstSlippageBps = "worst_slippage_bps"
            case medianDecisionLatencyMs = "median_decision_latency_ms"
            case worstDecisionLatencyMs = "worst_decision_latency_ms"
            case medianVenueLatencyMs = "median_venue_latency_ms"
            case worstVenueLatencyMs = "worst_venue_latency_ms"
        }
    }

    /// One order on either side, its fills paired in order.
    public struct Order: Sendable, Codable, Hashable {
        public var orderId: Int64
        public var side: String
        /// A live order's client order id.
        public var clientOrderId: String?
        public var job: Execution?
        public var replay: Execution?
        public var slippageBps: Double?
        public var decisionLatencyMs: Int64?
        public var venueLatencyMs: Int64?
        public var fills: [FillPair]

        public init(
            orderId: Int64, side: String, clientOrderId: String?, job: Execution?, replay: Execution?,
            slippageBps: Double?, decisionLatencyMs: Int64?, venueLatencyMs: Int64?, fills: [FillPair]
        ) {
            self.orderId = orderId
            self.side = side
            self.clientOrderId = clientOrderId
            self.job = job
            self.replay = replay
            self.slippageBps = slippageBps
            self.decisionLatencyMs = decisionLatencyMs
            self.venueLatencyMs = venueLatencyMs
            self.fills = fills
        }

        enum CodingKeys: String, CodingKey {
            case orderId = "order_id"
            case side
            case clientOrderId = "client_order_id"
            case job
            case replay
            case slippageBps = "slippage_bps"
            case decisionLatencyMs = "decision_latency_ms"
            case venueLatencyMs = "venue_latency_ms"
            case fills
        }
    }

    /// An order's fills on one side, together: when, at what average price, how much, what fees.
    public struct Execution: Sendable, Codable, Hashable {
        public var barIndex: Int64
        public var timeMs: Int64
        public var price: Double
        public var quantity: Double
        /// Fees in the quote asset (a base fee valued at its fill's price).
        public var fee: Double
        public var fills: Int

        public init(barIndex: Int64, timeMs: Int64, price: Double, quantity: Double, fee: Double, fills: Int) {
            self.barIndex = barIndex
            self.timeMs = timeMs
            self.price = price
            self.quantity = quantity
            self.fee = fee
            self.fills = fills
        }

        enum CodingKeys: String, CodingKey {
            case barIndex = "bar_index"
            case timeMs = "time_ms"
            case price
            case quantity
            case fee
            case fills
        }
    }

    /// The k-th fill of an order on each side.
    public struct FillPair: Sendable, Codable, Hashable {
        public var job: Fill?
        public var replay: Fill?
        public var equal: Bool

        public init(job: Fill?, replay: Fill?, equal: Bool) {
            self.job = job
            self.replay = replay
            self.equal = equal
        }
    }

    public struct Fill: Sendable, Codable, Hashable {
        public var barIndex: Int64
        public var timeMs: Int64
        public var price: Double
        public var quantity: Double
        public var fee: Double

        public init(barIndex: Int64, timeMs: Int64, price: Double, quantity: Double, fee: Double) {
            self.barIndex = barIndex
            self.timeMs = timeMs
            self.price = price
            self.quantity = quantity
            self.fee = fee
        }

        enum CodingKeys: String, CodingKey {
            case barIndex = "bar_index"
            case timeMs = "time_ms"
            case price
            case quantity
            case fee
        }
    }
}

/// A chunk's trial outcomes as bytes, for the wire and the database (docs/SWEEPS.md, "Results are
/// compact and fenced"): per trial its candidate index, why it failed if it did, its statistics,
/// its return moments, its block sums and (walk-forward) its segment sums, with the span of the
/// data the segments cut (the first bar's time, and the last's plus its interval) — every number's
/// exact bits, so a leaderboard read back is
/// the one the workers computed. Parameters are not written: they are the plan's function of the
/// index, or (Bayesian search) stored with the chunk when asked, and looked up on reading (an
/// index the sweep does not hold is refused).
public enum TrialRecords {
    static let magic: [UInt8] = Array("ATR2".utf8)

    /// The data's span the records' segments cut: the first bar's time, the last's plus its interval.
    public struct Span: Sendable, Hashable {
        public var first: Int64
        public var end: Int64

        public init(first: Int64, end: Int64) {
            self.first = first
            self.end = end
        }

        /// The span of `bars`.
        public init(_ bars: BarSeries) {
            self.init(
                first: bars.count > 0 ? bars.time[0] : 0,
                end: bars.count > 0 ? bars.time[bars.count - 1] + bars.barInterval : 0)
        }
    }

    /// Bytes that are not a chunk's records, or not this plan's.
    public struct Malformed: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func encode(_ outcomes: [TrialOutcome], span: Span = Span(first: 0, end: 0)) -> [UInt8] {
        var out = magic
        let blocks = outcomes.first?.blockSums.count ?? 0
        let segments = outcomes.first?.segments.count ?? 0
        out.reserveCapacity(44 + outcomes.count * (8 * (32 + 3 * blocks + 5 * segments)))
        put(UInt64(blocks), &out)
        put(UInt64(segments), &out)
        put(UInt64(bitPattern: span.first), &out)
        put(UInt64(bitPattern: span.end), &out)
        put(UInt64(outcomes.count), &out)
        for o in outcomes {
            put(UInt64(bitPattern: Int64(o.index)), &out)
            let failure = Array((o.failure ?? "").utf8)
            out.append(o.statistics == nil ? 0 : 1)
            put(UInt64(failure.count), &out)
            out += failure
            if let s = o.statistics {
                for i in [s.bars, s.orders, s.rejectedOrders, s.fills, s.roundTrips, s.maxDrawdownBars] {
                    put(UInt64(bitPattern: Int64(i)), &out)
                }
                for d in [
                    s.initialEquity, s.finalEquity, s.totalFees, s.totalReturn, s.cagr, s.sharpe, s.sortino, s.calmar,
                    s.maxDrawdown, s.maxDrawdownDuration, s.winRate, s.profitFactor, s.expectancy, s.exposure,
                    s.buyAndHoldReturn,
                ] {
                    put(d.bitPattern, &out)
                }
            }
            let m = o.moments
            put(UInt64(bitPattern: Int64(m.count)), &out)
            for d in [m.mean, m.standardDeviation, m.skewness, m.kurtosis] { put(d.bitPattern, &out) }
            for d in o.blockCounts + o.blockSums + o.blockSquares { put(d.bitPattern, &out) }
            for s in o.segments {
                for d in [s.count, s.sum, s.squares, s.downside, s.logGrowth] { put(d.bitPattern, &out) }
            }
        }
        return out
    }

    /// The span the records' segments cut.
    public static func span(_ bytes: [UInt8]) throws(Malformed) -> Span {
        var r = Reader(bytes: bytes)
        guard Array(try r.take(4)) == magic else { throw Malformed(description: "not trial records") }
        _ = try r.take(16)
        return Span(first: Int64(bitPattern: try r.word()), end: Int64(bitPattern: try r.word()))
    }

    /// The outcomes in `bytes`, their parameters from `plan`.
    public static func decode(_ bytes: [UInt8], plan: SweepPlan) throws(Malformed) -> [TrialOutcome] {
        try decode(bytes) { index in index < plan.candidateLimit ? plan.point(index) : nil }
    }

    /// The outcomes in `bytes`, each trial's parameters from `parameters` (nil: not one of the
    /// sweep's trials, refused).
    public static func decode(
        _ bytes: [UInt8], parameters: (Int) -> [String: ParameterValue]?
    ) throws(Malformed) -> [TrialOutcome] {
        var r = Reader(bytes: bytes)
        guard Array(try r.take(4)) == magic else { throw Malformed(description: "not trial records") }
        // Words read from a peer are checked before they become counts (no trap on 2⁶³ or more).
        guard let blocks = Int(exactly: try r.word()), let segmentCount = Int(exactly: try r.word()),
            blocks <= 1_024, segmentCount <= 100_000
        else { throw Malformed(description: "a block or segment count beyond what a sweep keeps") }
        _ = try r.take(16)
        guard let count = Int(exactly: try r.word()), count <= bytes.count / 8 else {
            throw Malformed(description: "a trial count beyond what \(bytes.count) bytes hold")
        }
        var out: [TrialOutcome] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            let index = Int(Int64(bitPattern: try r.word()))
            guard index >= 0, let parameters = parameters(index) else {
                throw Malformed(description: "trial \(index) is not one of the sweep's")
            }
            let ran = try r.take(1).first == 1
            guard let length = Int(exactly: try r.word()), length <= 65_536 else {
                throw Malformed(description: "a failure over 65,536 bytes")
            }
            let failure = length == 0 ? nil : String(decoding: try r.take(length), as: UTF8.self)
            var statistics: BacktestStatistics?
            if ran {
                var ints: [Int] = []
                for _ in 0..<6 { ints.append(Int(Int64(bitPattern: try r.word()))) }
                var ds: [Double] = []
                for _ in 0..<15 { ds.append(Double(bitPattern: try r.word())) }
                statistics = BacktestStatistics(
                    bars: ints[0], orders: ints[1], rejectedOrders: ints[2], fills: ints[3], roundTrips: ints[4],
                    initialEquity: ds[0], finalEquity: ds[1], totalFees: ds[2], totalReturn: ds[3], cagr: ds[4],
                    sharpe: ds[5], sortino: ds[6], calmar: ds[7], maxDrawdown: ds[8], maxDrawdownDuration: ds[9],
                    maxDrawdownBars: ints[5], winRate: ds[10], profitFactor: ds[11], expectancy: ds[12],
                    exposure: ds[13], buyAndHoldReturn: ds[14])
            }
            let n = Int(Int64(bitPattern: try r.word()))
            var m: [Double] = []
            for _ in 0..<4 { m.append(Double(bitPattern: try r.word())) }
            var sums: [Double] = []
            sums.reserveCapacity(3 * blocks)
            for _ in 0..<(3 * blocks) { sums.append(Double(bitPattern: try r.word())) }
            var segments: [SegmentSums] = []
            segments.reserveCapacity(segmentCount)
            for _ in 0..<segmentCount {
                var s = SegmentSums()
                s.count = Double(bitPattern: try r.word())
                s.sum = Double(bitPattern: try r.word())
                s.squares = Double(bitPattern: try r.word())
                s.downside = Double(bitPattern: try r.word())
                s.logGrowth = Double(bitPattern: try r.word())
                segments.append(s)
            }
            out.append(
                TrialOutcome(
                    index: index, parameters: parameters, statistics: statistics, failure: failure,
                    moments: ReturnMoments(
                        count: n, mean: m[0], standardDeviation: m[1], skewness: m[2], kurtosis: m[3]),
                    blockCounts: Array(sums[0..<blocks]), blockSums: Array(sums[blocks..<(2 * blocks)]),
                    blockSquares: Array(sums[(2 * blocks)...]), segments: segments))
        }
        guard r.offset == bytes.count else { throw Malformed(description: "bytes after the last trial") }
        return out
    }

    private static func put(_ v: UInt64, _ out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func take(_ n: Int) throws(Malformed) -> ArraySlice<UInt8> {
            guard n >= 0, bytes.count - offset >= n else { throw Malformed(description: "cut short") }
            defer { offset += n }
            return bytes[offset..<(offset + n)]
        }

        mutating func word() throws(Malformed) -> UInt64 {
            let s = try take(8)
            var v: UInt64 = 0
            for (k, b) in s.enumerated() { v |= UInt64(b) << (8 * UInt64(k)) }
            return v
        }
    }
}

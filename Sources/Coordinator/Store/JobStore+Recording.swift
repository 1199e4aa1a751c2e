import ATSShared
import ATSVenues
import Foundation
import PostgresNIO

/// What jobs on a live market saw (docs/LIVE.md "Divergence"): each closed candle once per
/// market, and each job's span of it.
extension JobStore {
    /// Stores the candles a job traded (each once per market, whoever saw it first; a venue's
    /// closed candle does not change) and, under the job's current epoch (whatever its status: a
    /// fenced run's last batch still counts, as its fills and checkpoint do), its span: the open
    /// time of its bar 0 and of the last candle. A run that starts afresh (no checkpoint) has
    /// another bar 0 and starts a new span.
    func recordCandles(_ m: CandlesSeen, on conn: PostgresConnection) async throws {
        guard let first = m.candles.first, let last = m.candles.last,
            let length = BinanceKline.length(of: m.interval)
        else { return }
        let c = m.candles
        try await conn.query(
            """
            INSERT INTO market_candles (endpoint, symbol, interval, open_time_ms, open, high, low, close, volume)
            SELECT \(m.endpoint), \(m.symbol), \(m.interval), u.t, u.o::numeric, u.h::numeric, u.l::numeric,
                u.c::numeric, u.v::numeric
            FROM unnest(\(c.map(\.openTimeMs))::int8[], \(c.map(\.open))::text[], \(c.map(\.high))::text[],
                \(c.map(\.low))::text[], \(c.map(\.close))::text[], \(c.map(\.volume))::text[]) AS u(t, o, h, l, c, v)
            ON CONFLICT DO NOTHING
            """, logger: logger)
        // Bar 0's candle starts a span (a new job, or a run that starts afresh without a
        // checkpoint); a resumed run's candles extend it. Bars are positions, not times: a venue
        // that skipped candles (`acceptGap`) shifts every later open time, never the span's start.
        let estimate = first.openTimeMs - m.firstBar * length
        try await conn.query(
            """
            UPDATE jobs SET
                market_origin_ms = CASE WHEN \(m.firstBar) = 0 THEN \(first.openTimeMs)
                    ELSE coalesce(market_origin_ms, \(estimate)) END,
                market_through_ms = CASE WHEN \(m.firstBar) = 0 THEN \(last.openTimeMs)
                    ELSE GREATEST(market_through_ms, \(last.openTimeMs)) END
            WHERE id = \(m.header.jobId) AND epoch = \(m.header.epoch)
            """, logger: logger)
        guard m.stepSize > 0 else { return }
        try await conn.query(
            """
            UPDATE jobs SET market_rules = \([m.tickSize, m.stepSize, m.minQuantity, m.minNotional])
            WHERE id = \(m.header.jobId) AND epoch = \(m.header.epoch)
            """, logger: logger)
    }

    /// Deletes the recorded candles that opened before `cutoffMs`, `batch` rows per transaction
    /// (no long lock on a table the running jobs write to); returns how many went. A job whose
    /// span reaches back before the cutoff shows those candles as missing in its divergence.
    public func pruneRecording(before cutoffMs: Int64, batch: Int = 10_000) async throws -> Int {
        var total = 0
        while true {
            let rows = try await client.query(
                """
                WITH gone AS (
                    DELETE FROM market_candles WHERE ctid = ANY(ARRAY(
                        SELECT ctid FROM market_candles WHERE open_time_ms < \(cutoffMs) LIMIT \(batch)))
                    RETURNING 1)
                SELECT count(*) FROM gone
                """, logger: logger)
            var deleted = 0
            for try await n in rows.decode(Int64.self) { deleted = Int(n) }
            total += deleted
            if deleted < batch { return total }
        }
    }

    /// Everything `ats job divergence` compares, for a job on a live market.
    public func recording(job ref: String) async throws -> JobRecording {
        let record = try await job(ref)
        guard let spec = record.spec, let market = spec.market else {
            throw StoreError.conflict("job \(record.name) trades no live market: nothing was recorded")
        }
        let span = try await client.query(
            "SELECT market_origin_ms, market_through_ms, market_rules FROM jobs WHERE id = \(record.id)",
            logger: logger)
        var origin: Int64?
        var through: Int64?
        var rules: [Double]?
        for try await (o, t, r) in span.decode((Int64?, Int64?, [Double]?).self) {
            (origin, through, rules) = (o, t, r)
        }
        var recording = JobRecording(job: record, spec: spec, market: market, originMs: origin, throughMs: through)
        if let rules, rules.count == 4 {
            recording.rules = .init(
                tickSize: rules[0], stepSize: rules[1], minQuantity: rules[2], minNotional: rules[3])
        }

        let revisions = try await client.query(
            """
            SELECT revision, strategy_config::text, effective_bar FROM job_revisions
            WHERE job_id = \(record.id) ORDER BY revision
            """, logger: logger)
        for try await (revision, config, bar) in revisions.decode((Int64, String, Int64?).self) {
            recording.revisions.append(
                .init(revision: revision, strategyConfig: Array(config.utf8), effectiveBar: bar))
        }
        if let origin, let through {
            let rows = try await client.query(
                """
                SELECT open_time_ms, open::text, high::text, low::text, close::text, volume::text FROM market_candles
                WHERE endpoint = \(market.endpoint) AND symbol = \(market.symbol) AND interval = \(market.interval)
                    AND open_time_ms BETWEEN \(origin) AND \(through)
                ORDER BY open_time_ms
                """, logger: logger)
            for try await (t, o, h, l, c, v) in rows.decode((Int64, String, String, String, String, String).self) {
                recording.candles.append(SeenCandle(openTimeMs: t, open: o, high: h, low: l, close: c, volume: v))
            }
        }
        var after: Int64 = -1
        while true {
            let page = try await fills(job: String(record.id), after: after, limit: 10_000)
            recording.fills += page
            guard let last = page.last, page.count == 10_000 else { break }
            after = last.seq
        }
        let trades = try await client.query(
            """
            SELECT client_order_id, side, time_ms, price, quantity FROM venue_trades
            WHERE job_id = \(record.id) ORDER BY trade_id
            """, logger: logger)
        for try await (cid, side, time, price, quantity) in trades.decode((String, String, Int64, String, String).self)
        {
            guard let p = VenueDecimal(price), let q = VenueDecimal(quantity) else { continue }
            recording.trades.append(
                Divergence.Trade(clientOrderId: cid, side: side, timeMs: time, price: p.double, quantity: q.double))
        }
        let intents = try await client.query(
            "SELECT client_order_id, decided_at_ms, candle_open_ms FROM order_intents WHERE job_id = \(record.id)",
            logger: logger)
        for try await (cid, decided, candle) in intents.decode((String, Int64, Int64).self) {
            recording.decidedAtMs[cid] = decided
            if candle > 0 { recording.candleOpenMs[cid] = candle }
        }
        return recording
    }
}

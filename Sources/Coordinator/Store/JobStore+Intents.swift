import ATSShared
import Foundation
import PostgresNIO

/// A live job's order intents and venue trades (issue 17, docs/LIVE.md "Design: durable intents").
extension JobStore {
    /// Stores an intent if its job is at the intent's epoch, leased to `worker` and the lease has
    /// not run out; the verdict says whether the worker may send the order. A resent intent (its
    /// batch committed, the ack lost) gets the same verdict while the lease holds.
    func writeIntent(_ m: OrderIntentWritten, worker: String, on conn: PostgresConnection) async throws
        -> IntentVerdict
    {
        let h = m.header
        func verdict(_ accepted: Bool, _ reason: String = "", keepsJob: Bool = false) -> IntentVerdict {
            IntentVerdict(
                jobId: h.jobId, epoch: h.epoch, clientOrderId: m.clientOrderId, accepted: accepted, reason: reason,
                keepsJob: keepsJob)
        }
        let holds = try await conn.query(
            """
            SELECT coalesce(halt_reason, (SELECT reason FROM cluster_halt), '') FROM jobs
            WHERE id = \(h.jobId) AND epoch = \(h.epoch) AND lease_owner = \(worker)
                AND \(unescaped: Self.leaseExpiry) > now() AND status IN ('assigned', 'running')
            """, logger: logger)
        guard let halt = try await holds.decode(String.self).first(where: { _ in true }) else {
            return verdict(false, "the job is no longer at epoch \(h.epoch) on this worker with a live lease")
        }
        // Resent (its batch committed, the ack lost): the same verdict, whatever changed since.
        let stored = try await conn.query(
            "SELECT job_id, epoch, worker FROM order_intents WHERE client_order_id = \(m.clientOrderId)",
            logger: logger)
        for try await (job, epoch, owner) in stored.decode((Int64, Int64, String).self) {
            return job == h.jobId && epoch == h.epoch && owner == worker
                ? verdict(true) : verdict(false, "client order id \(m.clientOrderId) is already another intent's")
        }
        // The worker's word that the order only shrinks the job's position is checked against the
        // job's own executions (stored before this intent: a run flushes them first): a sell of at
        // most what its allocation and its fills left it. Anything else is not reducing here.
        var m = m
        if m.reduceOnly || m.reduces, !(try await shrinksPosition(m, on: conn)) {
            logger.warning(
                "an intent said to reduce the job's position does not: checked as any other",
                metadata: ["client_order_id": "\(m.clientOrderId)", "side": "\(m.side)", "quantity": "\(m.quantity)"])
            m.reduceOnly = false
            m.reduces = false
        }
        // The kill switch: nothing but the reduce-only orders of a flatten.
        guard halt.isEmpty || m.reduceOnly else {
            return verdict(false, "the kill switch holds the job: \(halt)", keepsJob: true)
        }
        if !m.reduces, let over = try await overBudget(job: h.jobId, notional: m.notional, on: conn) {
            return verdict(false, over, keepsJob: true)
        }
        let rows = try await conn.query(
            """
            INSERT INTO order_intents (client_order_id, job_id, epoch, worker, symbol, side, order_type,
                time_in_force, quantity, price, decided_at_ms, notional, reduces, candle_open_ms, stop_price,
                list_client_order_id)
            VALUES (\(m.clientOrderId), \(h.jobId), \(h.epoch), \(worker), \(m.symbol), \(m.side), \(m.orderType),
                \(m.timeInForce), \(m.quantity), \(m.price), \(m.decidedAtMs), \(m.notional), \(m.reduces),
                \(m.candleOpenMs), \(m.stopPrice), \(m.listClientOrderId))
            ON CONFLICT (client_order_id) DO NOTHING
            RETURNING 1
            """, logger: logger)
        if try await rows.decode(Int.self).first(where: { _ in true }) != nil { return verdict(true) }
        // Stored meanwhile by another transaction: refused (the order is not sent).
        return verdict(false, "client order id \(m.clientOrderId) is already another intent's")
    }

    /// Whether the intent sells at most the base the job holds by its own account: its allocation's
    /// base, plus what it bought, less what it sold and the commissions taken in the base.
    func shrinksPosition(_ m: OrderIntentWritten, on conn: PostgresConnection) async throws -> Bool {
        guard m.side == "SELL", let quantity = Double(m.quantity), quantity > 0 else { return false }
        let rows = try await conn.query(
            """
            SELECT (coalesce((j.spec->'portfolio'->>'base')::numeric, 0) + coalesce((
                SELECT sum(CASE WHEN t.side = 'BUY' THEN t.quantity::numeric ELSE -t.quantity::numeric END)
                    - sum(CASE WHEN t.commission_asset = j.spec->'exchange'->'symbol'->>'base'
                        THEN t.commission::numeric ELSE 0 END)
                FROM venue_trades t WHERE t.job_id = j.id), 0))::float8
            FROM jobs j WHERE j.id = \(m.header.jobId)
            """, logger: logger)
        guard let held = try await rows.decode(Double.self).first(where: { _ in true }) else { return false }
        return quantity <= held * (1 + 1e-9) + 1e-12
    }

    /// An intent's outcome. A fact about the order whoever learned it (a reconciling run resolves
    /// its predecessor's), so not fenced by epoch; a final state is never changed.
    func resolveIntent(_ m: OrderIntentResolved, on conn: PostgresConnection) async throws {
        guard OrderIntentResolved.states.contains(m.state) else {
            throw StoreError.conflict("intent \(m.clientOrderId): unknown state \(m.state)")
        }
        try await conn.query(
            """
            UPDATE order_intents SET state = \(m.state),
                venue_order_id = CASE WHEN \(m.venueOrderId) > 0 THEN \(m.venueOrderId) ELSE venue_order_id END,
                code = CASE WHEN \(m.code) <> 0 THEN \(m.code) ELSE code END,
                message = CASE WHEN \(m.message) <> '' THEN \(m.message) ELSE message END,
                resolved_at = CASE WHEN \(m.state) = 'unknown' THEN resolved_at ELSE now() END
            WHERE client_order_id = \(m.clientOrderId) AND job_id = \(m.header.jobId)
                AND state IN ('written', 'unknown')
            """, logger: logger)
    }

    /// Venue executions, each stored once by (venue, symbol, trade id); returns how many were new.
    func insertVenueFills(_ m: VenueFills, on conn: PostgresConnection) async throws -> Int {
        guard !m.fills.isEmpty else { return 0 }
        let f = m.fills
        let rows = try await conn.query(
            """
            WITH ins AS (
                INSERT INTO venue_trades (venue, symbol, trade_id, job_id, epoch, order_id, client_order_id, side,
                    price, quantity, commission, commission_asset, time_ms, maker)
                SELECT \(m.venue), \(m.symbol), u.trade_id, \(m.header.jobId), \(m.header.epoch), u.order_id,
                    u.client_order_id, u.side, u.price, u.quantity, u.commission, u.commission_asset, u.time_ms, u.maker
                FROM unnest(\(f.map(\.tradeId))::int8[], \(f.map(\.orderId))::int8[], \(f.map(\.clientOrderId))::text[],
                    \(f.map(\.side))::text[], \(f.map(\.price))::text[], \(f.map(\.quantity))::text[],
                    \(f.map(\.commission))::text[], \(f.map(\.commissionAsset))::text[], \(f.map(\.timeMs))::int8[],
                    \(f.map(\.maker))::bool[])
                    AS u(trade_id, order_id, client_order_id, side, price, quantity, commission, commission_asset,
                        time_ms, maker)
                ON CONFLICT (venue, symbol, trade_id) DO NOTHING RETURNING 1)
            SELECT count(*) FROM ins
            """, logger: logger)
        var inserted = 0
        for try await n in rows.decode(Int64.self) { inserted = Int(n) }
        return inserted
    }

    /// What a resumed live run must know of its predecessors' intents (docs/LIVE.md,
    /// "Reconciliation"): every one stored since the checkpoint it resumes from (a live run
    /// checkpoints before it writes an intent, in the same or an earlier transaction, so an
    /// in-flight order the checkpoint names is here if it was ever allowed out), and every one
    /// still unresolved. Empty for a job that never wrote one.
    func priorIntents(job: Int64, since checkpointAt: Date?, on conn: PostgresConnection) async throws
        -> [PriorIntent]
    {
        let since = checkpointAt ?? Date(timeIntervalSince1970: 0)
        let rows = try await conn.query(
            """
            SELECT client_order_id, state, coalesce(venue_order_id, 0), coalesce(code, 0), coalesce(message, '')
            FROM order_intents
            WHERE job_id = \(job) AND (state IN ('written', 'unknown') OR created_at >= \(since))
            ORDER BY created_at, client_order_id
            """, logger: logger)
        var out: [PriorIntent] = []
        for try await (id, state, venueId, code, message) in rows.decode((String, String, Int64, Int64, String).self) {
            out.append(
                PriorIntent(clientOrderId: id, state: state, venueOrderId: venueId, code: code, message: message))
        }
        return out
    }

    /// A job's orders (intents and their outcomes), oldest first.
    public func orders(job ref: String) async throws -> [OrderRecord] {
        let id = try await job(ref).id
        let rows = try await client.query(
            """
            SELECT client_order_id, epoch, symbol, side, order_type, quantity, price, state, venue_order_id, code,
                message, created_at
            FROM order_intents WHERE job_id = \(id) ORDER BY created_at, client_order_id
            """, logger: logger)
        var out: [OrderRecord] = []
        for try await r in rows.decode(
            (String, Int64, String, String, String, String, String, String, Int64?, Int64?, String?, Date).self)
        {
            out.append(
                OrderRecord(
                    clientOrderId: r.0, epoch: r.1, symbol: r.2, side: r.3, orderType: r.4, quantity: r.5, price: r.6,
                    state: r.7, venueOrderId: r.8, code: r.9, message: r.10, createdAt: r.11))
        }
        return out
    }

    /// A job's intents, for tests.
    public func intents(job: Int64) async throws -> [(clientOrderId: String, epoch: Int64, state: String)] {
        let rows = try await client.query(
            "SELECT client_order_id, epoch, state FROM order_intents WHERE job_id = \(job) ORDER BY created_at",
            logger: logger)
        var out: [(String, Int64, String)] = []
        for try await row in rows.decode((String, Int64, String).self) { out.append(row) }
        return out.map { (clientOrderId: $0.0, epoch: $0.1, state: $0.2) }
    }

    public func venueTradeIds(job: Int64) async throws -> [Int64] {
        let rows = try await client.query(
            "SELECT trade_id FROM venue_trades WHERE job_id = \(job) ORDER BY trade_id", logger: logger)
        var out: [Int64] = []
        for try await id in rows.decode(Int64.self) { out.append(id) }
        return out
    }
}

import ATSShared
import Foundation
import PostgresNIO

/// One risk budget per account (issue 17, docs/LIVE.md "Risk"): every live job that trades with
/// a credential shares its limits — gross exposure and daily loss — checked in the transaction
/// that stores an intent, with the account's row locked, so two jobs cannot together exceed
/// what each alone may.
extension JobStore {
    /// Why an intent worth `notional` would take its job's account over its budget; nil when it
    /// fits or the account has none. Exposure is what the account's live jobs reported at their
    /// last progress — whatever their status: a stopped, pending or failed job may still hold base
    /// or have orders resting — plus every intent of theirs stored since (in the same transaction
    /// included) that has not ended and does not reduce a position. The limits are counted in the
    /// order's quote asset: only the account's jobs trading against it are added (a USDT amount
    /// is never added to a BTC one).
    func overBudget(job: Int64, notional: Double, on conn: PostgresConnection) async throws -> String? {
        let limits = try await conn.query(
            """
            SELECT l.credential, l.max_gross_exposure, l.max_daily_loss FROM account_limits l
            WHERE l.credential = (SELECT spec->>'credentials' FROM jobs WHERE id = \(job))
            FOR UPDATE
            """, logger: logger)
        guard
            let (credential, maxExposure, maxLoss) = try await limits.decode((String, Double?, Double?).self).first(
                where: { _ in true })
        else { return nil }
        let usage = try await conn.query(
            """
            WITH quote AS (SELECT spec->'exchange'->'symbol'->>'quote' AS asset FROM jobs WHERE id = \(job))
            SELECT coalesce(sum(p.exposure), 0)::float8, coalesce(sum(p.day_pnl), 0)::float8,
                coalesce((SELECT sum(i.notional) FROM order_intents i JOIN jobs k ON k.id = i.job_id
                    LEFT JOIN job_progress kp ON kp.job_id = k.id
                    WHERE k.mode = 'live' AND k.spec->>'credentials' = \(credential)
                        AND k.spec->'exchange'->'symbol'->>'quote' = (SELECT asset FROM quote)
                        AND i.created_at >= coalesce(kp.exposure_at, '-infinity')
                        AND NOT i.reduces AND i.state IN ('written', 'accepted', 'unknown')), 0)::float8,
                (SELECT asset FROM quote)
            FROM jobs j LEFT JOIN job_progress p ON p.job_id = j.id
            WHERE j.mode = 'live' AND j.spec->>'credentials' = \(credential)
                AND j.spec->'exchange'->'symbol'->>'quote' = (SELECT asset FROM quote)
            """, logger: logger)
        for try await (exposure, pnl, pending, quote) in usage.decode((Double, Double, Double, String?).self) {
            let asset = quote.map { " " + $0 } ?? ""
            if let maxLoss, -pnl >= maxLoss {
                return
                    "the account \(credential) lost \(-pnl)\(asset) today across its jobs, its max_daily_loss is \(maxLoss): only orders that reduce a position"
            }
            if let maxExposure, exposure + pending + notional > maxExposure {
                return
                    "the account \(credential) would be exposed \(exposure + pending + notional)\(asset) across its jobs, over its max_gross_exposure \(maxExposure)"
            }
        }
        return nil
    }

    /// An account's budget (nil limits: none).
    public func setAccountLimits(_ limits: AccountLimits, credential: String, actor: String) async throws {
        guard try await sealedCredential(credential) != nil else {
            throw StoreError.notFound("no credential named \"\(credential)\"")
        }
        try await transaction { conn in
            if limits.maxGrossExposure == nil && limits.maxDailyLoss == nil {
                try await conn.query("DELETE FROM account_limits WHERE credential = \(credential)", logger: logger)
            } else {
                try await conn.query(
                    """
                    INSERT INTO account_limits (credential, max_gross_exposure, max_daily_loss, updated_by)
                    VALUES (\(credential), \(limits.maxGrossExposure), \(limits.maxDailyLoss), \(actor))
                    ON CONFLICT (credential) DO UPDATE SET max_gross_exposure = EXCLUDED.max_gross_exposure,
                        max_daily_loss = EXCLUDED.max_daily_loss, updated_by = EXCLUDED.updated_by, updated_at = now()
                    """, logger: logger)
            }
            try await recordEvent(
                conn, job: nil, name: "", actor: actor, kind: "account_limits",
                detail: "\(credential): \(limits.summary)")
        }
    }

    /// Every account's budget and what its running live jobs use of it now.
    public func accountLimits() async throws -> [String: AccountLimits] {
        let rows = try await client.query(
            """
            SELECT l.credential, l.max_gross_exposure, l.max_daily_loss,
                coalesce((SELECT sum(p.exposure) FROM jobs j JOIN job_progress p ON p.job_id = j.id
                    WHERE j.mode = 'live' AND j.spec->>'credentials' = l.credential), 0)::float8,
                coalesce((SELECT sum(p.day_pnl) FROM jobs j JOIN job_progress p ON p.job_id = j.id
                    WHERE j.mode = 'live' AND j.spec->>'credentials' = l.credential), 0)::float8
            FROM account_limits l
            """, logger: logger)
        var out: [String: AccountLimits] = [:]
        for try await (name, exposure, loss, usedExposure, pnl) in rows.decode(
            (String, Double?, Double?, Double, Double).self)
        {
            out[name] = AccountLimits(
                maxGrossExposure: exposure, maxDailyLoss: loss, exposure: usedExposure, dayPnl: pnl)
        }
        return out
    }
}

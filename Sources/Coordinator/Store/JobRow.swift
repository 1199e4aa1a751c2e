import ATSEngine
import ATSShared
import Foundation
import PostgresNIO

/// A `jobs` row as the store reads it: the columns, their decoding, and the record the API shows.
/// A row whose stored definition cannot be read still comes back (with `spec_error`), so one bad
/// row never takes a list down.
struct JobRow {
    /// The columns, read from ``source``. A job's `updated_at` is its latest change, progress
    /// included.
    static let columns = """
        jobs.id, name, mode, labels, desired_state, status, epoch, lease_owner, \(JobStore.leaseExpiry),
        coalesce(p.bars_done, 0), coalesce(p.bars_total, 0), p.equity, last_error, statistics::text, spec::text,
        created_at, \(updatedAt), started_at, finished_at, spec_revision, phase, halt_reason
        """

    /// The job and its progress (a row of its own, written many times a minute while it runs).
    static let source = "jobs LEFT JOIN job_progress p ON p.job_id = jobs.id"

    /// When the job or its progress last changed.
    static let updatedAt = "GREATEST(jobs.updated_at, p.updated_at)"

    var id: Int64
    var name: String
    var mode: String
    var labels: [String]
    var desiredState: String
    var status: String
    var epoch: Int64
    var leaseOwner: String?
    var leaseExpiresAt: Date?
    var barsDone: Int64
    var barsTotal: Int64
    var equity: Double?
    var lastError: String?
    var statistics: String?
    var spec: String
    var createdAt: Date
    var updatedAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var specRevision: Int64
    var phase: String
    var haltReason: String?

    init(_ row: PostgresRow) throws {
        (
            id, name, mode, labels, desiredState, status, epoch, leaseOwner, leaseExpiresAt, barsDone, barsTotal,
            equity, lastError, statistics, spec, createdAt, updatedAt, startedAt, finishedAt, specRevision, phase,
            haltReason
        ) = try row.decode(
            (
                Int64, String, String, [String], String, String, Int64, String?, Date?, Int64, Int64, Double?,
                String?, String?, String, Date, Date, Date?, Date?, Int64, String, String?
            ).self)
    }

    /// The row as the API shows it.
    var record: JobRecord {
        var spec: JobSpec?
        var specError: String?
        do {
            spec = try JobSpecCache.shared.spec(self.spec)
        } catch {
            specError = "the stored definition cannot be read: \(error)"
        }
        let stats = statistics.flatMap {
            try? JSONCoding.decoder().decode(BacktestStatistics.self, from: Data($0.utf8))
        }
        var record = JobRecord(
            id: id, name: name, mode: mode, labels: labels,
            desiredState: DesiredState(rawValue: desiredState) ?? .running,
            status: JobStatus(rawValue: status) ?? .pending, epoch: epoch, leaseOwner: leaseOwner,
            leaseExpiresAt: leaseExpiresAt, barsDone: barsDone, barsTotal: barsTotal, equity: equity,
            lastError: lastError,
            statistics: stats, spec: spec, specError: specError, specRevision: specRevision, createdAt: createdAt,
            updatedAt: updatedAt, startedAt: startedAt, finishedAt: finishedAt)
        record.phase = phase
        record.haltReason = haltReason
        return record
    }

    /// Every row of a query selecting ``columns``, as records.
    static func records(_ rows: PostgresRowSequence) async throws -> [JobRecord] {
        var out: [JobRecord] = []
        for try await row in rows { out.append(try JobRow(row).record) }
        return out
    }
}

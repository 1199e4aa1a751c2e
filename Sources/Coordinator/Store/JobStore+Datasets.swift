import ATSEngine
import ATSShared
import Foundation
import NIOCore
import PostgresNIO

/// Data sets: bars registered once, stored in pieces in PostgreSQL under their content hash, and
/// served to the workers that lack them by any coordinator.
extension JobStore {
    /// Bytes per stored piece of a data set.
    static let datasetChunkBytes = 1 << 20

    static let datasetColumns =
        "hash, name, rows, first_ms, last_ms, interval_ms, symbol, bytes, source, format, created_by, created_at, sha256, object_store, object_stored_at"

    /// Registers `ingest` as `name`. The same bars under the same name again are the set already
    /// there (`created` false); another name for bars already registered, or a name already
    /// taken by other bars, is a conflict.
    func addDataset(_ ingest: DatasetIngest, name: String, symbol: String?, source: String, actor: String)
        async throws -> (record: DatasetRecord, created: Bool)
    {
        if let problem = DataSource.setNameProblem(name) {
            throw StoreError.invalid(SpecError(field: "name", reason: problem))
        }
        if let existing = try await datasetRow(ingest.hash) {
            guard existing.name == name else {
                throw StoreError.conflict(
                    "these bars are already registered as \"\(existing.name)\" (\(ingest.hash))")
            }
            return (existing, false)
        }
        do {
            return try await transaction { conn in
                try await conn.query(
                    """
                    INSERT INTO datasets (hash, name, rows, first_ms, last_ms, interval_ms, symbol, bytes, source, format, created_by, sha256)
                    VALUES (\(ingest.hash), \(name), \(ingest.rows), \(ingest.firstMs), \(ingest.lastMs), \(ingest.intervalMs),
                        \(symbol), \(Int64(ingest.catalog.count)), \(source), \(ingest.format), \(actor), \(ingest.sha256))
                    """, logger: logger)
                var offset = 0
                var seq: Int32 = 0
                while offset < ingest.catalog.count {
                    let end = min(offset + Self.datasetChunkBytes, ingest.catalog.count)
                    let piece = ByteBuffer(bytes: ingest.catalog[offset..<end])
                    try await conn.query(
                        "INSERT INTO dataset_chunks (hash, seq, bytes) VALUES (\(ingest.hash), \(seq), \(piece))",
                        logger: logger)
                    offset = end
                    seq += 1
                }
                try await recordEvent(
                    conn, job: nil, name: "", actor: actor, kind: "dataset_added",
                    detail: "\(name): \(ingest.hash), \(ingest.rows) bars from \(source)")
                let rows = try await conn.query(
                    "SELECT \(unescaped: Self.datasetColumns) FROM datasets WHERE hash = \(ingest.hash)", logger: logger
                )
                guard let record = try await Self.datasetRecords(rows).first else {
                    throw StoreError.conflict("insert returned nothing")
                }
                return (record, true)
            }
        } catch let e as PSQLError where e.serverInfo?[.sqlState] == "23505" {
            // The same bars registered at the same moment by another request, or the name taken.
            if let existing = try await datasetRow(ingest.hash) {
                guard existing.name == name else {
                    throw StoreError.conflict(
                        "these bars are already registered as \"\(existing.name)\" (\(ingest.hash))")
                }
                return (existing, false)
            }
            throw StoreError.conflict(
                "a data set named \"\(name)\" already exists with other bars (ats data rm it first)")
        }
    }

    /// Who uses a data set, as `jobs j LEFT JOIN sweeps s` reads it: a job by its name, a sweep's
    /// chunks once, as their sweep (`s1 (sweep)`).
    static let userName = "coalesce(s.name || ' (sweep)', j.name)"

    /// Every data set, with the jobs that name each.
    public func datasets() async throws -> [DatasetRecord] {
        var out = try await Self.datasetRecords(
            try await client.query(
                "SELECT \(unescaped: Self.datasetColumns) FROM datasets ORDER BY name", logger: logger))
        let users = try await client.query(
            """
            SELECT DISTINCT j.spec->'data'->>'hash', \(unescaped: Self.userName) FROM jobs j LEFT JOIN sweeps s ON s.id = j.sweep_id
            WHERE j.spec->'data' ? 'hash' ORDER BY 2
            """, logger: logger)
        var byHash: [String: [String]] = [:]
        for try await (hash, name) in users.decode((String, String).self) { byHash[hash, default: []].append(name) }
        for i in out.indices { out[i].jobs = byHash[out[i].hash] ?? [] }
        return out
    }

    /// A data set by name or hash, with the jobs that name it.
    public func dataset(_ ref: String) async throws -> DatasetRecord {
        guard var record = try await datasetRow(ref) else {
            throw StoreError.notFound("no data set \"\(ref)\" (ats data list)")
        }
        let users = try await client.query(
            """
            SELECT DISTINCT \(unescaped: Self.userName) FROM jobs j LEFT JOIN sweeps s ON s.id = j.sweep_id
            WHERE j.spec->'data'->>'hash' = \(record.hash) AND j.spec->'data' ? 'hash' ORDER BY 1
            """, logger: logger)
        for try await name in users.decode(String.self) { record.jobs.append(name) }
        return record
    }

    /// Removes a data set no job names (a job keeps its set for as long as it exists: it may be
    /// started again, and its results are reproduced from it).
    public func deleteDataset(_ ref: String, actor: String) async throws -> DatasetRecord {
        guard let record = try await datasetRow(ref) else {
            throw StoreError.notFound("no data set \"\(ref)\" (ats data list)")
        }
        return try await transaction { conn in
            let locked = try await conn.query(
                "SELECT hash FROM datasets WHERE hash = \(record.hash) FOR UPDATE", logger: logger)
            // Removed by another request meanwhile.
            guard try await locked.decode(String.self).first(where: { _ in true }) != nil else {
                throw StoreError.notFound("no data set \"\(ref)\" (ats data list)")
            }
            let users = try await conn.query(
                """
                SELECT DISTINCT \(unescaped: Self.userName) FROM jobs j LEFT JOIN sweeps s ON s.id = j.sweep_id
                WHERE j.spec->'data'->>'hash' = \(record.hash) AND j.spec->'data' ? 'hash' ORDER BY 1 LIMIT 6
                """,
                logger: logger)
            var names: [String] = []
            for try await name in users.decode(String.self) { names.append(name) }
            guard names.isEmpty else {
                let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", …" : "")
                throw StoreError.conflict(
                    "data set \"\(record.name)\" is used by jobs (\(shown)): delete them first (ats job delete, ats sweep rm)"
                )
            }
            try await conn.query("DELETE FROM datasets WHERE hash = \(record.hash)", logger: logger)
            try await recordEvent(
                conn, job: nil, name: "", actor: actor, kind: "dataset_removed",
                detail: "\(record.name): \(record.hash)")
            return record
        }
    }

    /// Bytes `range` of a set's catalog. Read from any coordinator: a set never changes once
    /// stored.
    func datasetContent(_ record: DatasetRecord, range: Range<Int64>) async throws -> ByteBuffer {
        let hash = record.hash
        let upper = min(range.upperBound, record.bytes)
        var out = ByteBuffer()
        guard range.lowerBound < upper else { return out }
        let size = Int64(Self.datasetChunkBytes)
        let first = Int32(range.lowerBound / size)
        let last = Int32((upper - 1) / size)
        let rows = try await client.query(
            """
            SELECT seq, bytes FROM dataset_chunks WHERE hash = \(hash) AND seq BETWEEN \(first) AND \(last)
            ORDER BY seq
            """, logger: logger)
        out.reserveCapacity(Int(upper - range.lowerBound))
        for try await (seq, piece) in rows.decode((Int32, ByteBuffer).self) {
            let start = Int64(seq) * size
            let from = Int(max(range.lowerBound, start) - start)
            let to = Int(min(upper, start + Int64(piece.readableBytes)) - start)
            guard from < to, let slice = piece.getSlice(at: piece.readerIndex + from, length: to - from) else {
                continue
            }
            out.writeImmutableBuffer(slice)
        }
        guard Int64(out.readableBytes) == upper - range.lowerBound else {
            throw StoreError.conflict("data set \(hash) is missing stored pieces")
        }
        return out
    }

    /// The sets in object store `store` (`stored`) or not there yet (a set put under another URL
    /// is not there), oldest first.
    func datasets(inObjectStore store: String, stored: Bool) async throws -> [DatasetRecord] {
        try await Self.datasetRecords(
            try await client.query(
                """
                SELECT \(unescaped: Self.datasetColumns) FROM datasets
                WHERE (object_store IS NOT DISTINCT FROM \(store)) = \(stored) ORDER BY created_at
                """, logger: logger))
    }

    /// Object store `store` accepted set `hash`'s bytes, whose SHA-256 is `sha256`. False: the set
    /// was removed meanwhile (its object is then to be deleted).
    func markInObjectStore(_ hash: String, sha256: String, store: String) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE datasets SET sha256 = \(sha256), object_store = \(store), object_stored_at = now()
            WHERE hash = \(hash) AND (sha256 IS NULL OR sha256 = \(sha256)) RETURNING hash
            """, logger: logger)
        return try await rows.decode(String.self).first(where: { _ in true }) != nil
    }

    /// Set `hash`'s object is gone from `store` (or holds other bytes): it is put there again.
    func clearObjectStore(_ hash: String, store: String) async throws {
        try await client.query(
            """
            UPDATE datasets SET object_store = NULL, object_stored_at = NULL
            WHERE hash = \(hash) AND object_store = \(store)
            """, logger: logger)
    }

    /// A set's record by name or hash (a name never reads as a hash), without the jobs that name
    /// it; nil: no such set.
    func datasetRow(_ ref: String) async throws -> DatasetRecord? {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.datasetColumns) FROM datasets WHERE name = \(ref) OR hash = \(ref)",
            logger: logger)
        return try await Self.datasetRecords(rows).first
    }

    static func datasetRecords(_ rows: PostgresRowSequence) async throws -> [DatasetRecord] {
        var out: [DatasetRecord] = []
        for try await row in rows {
            let (
                hash, name, count, first, last, interval, symbol, bytes, source, format, by, at, sha256, store, stored
            ) =
                try row.decode(
                    (
                        String, String, Int64, Int64, Int64, Int64, String?, Int64, String, String, String, Date,
                        String?, String?, Date?
                    ).self)
            out.append(
                DatasetRecord(
                    hash: hash, name: name, rows: count, firstMs: first, lastMs: last, intervalMs: interval,
                    symbol: symbol, bytes: bytes, source: source, format: format, createdBy: by, createdAt: at,
                    sha256: sha256, objectStore: store, objectStoredAt: stored))
        }
        return out
    }
}

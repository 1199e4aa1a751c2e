import ATSDatabase
import ATSEngine
import ATSShared
import Foundation
import PostgresNIO

/// Trained models (issue 20, docs/MODELS.md): stored whole by content hash, named once, removed
/// only when no job's strategy (or any of its revisions) runs them.
extension JobStore {
    static let modelColumns = "hash, name, bytes, summary::text, created_by, created_at"

    /// Stores a model read and checked by the caller; the same bytes under the same name again
    /// is no change (false), under another name or a name taken by other bytes a conflict.
    func addModel(_ bytes: [UInt8], hash: String, name: String, summary: ModelRecord.Summary, actor: String)
        async throws -> (record: ModelRecord, created: Bool)
    {
        if let existing = try await modelRow(hash) {
            guard existing.name == name else {
                throw StoreError.conflict("this model is already registered as \"\(existing.name)\" (\(hash))")
            }
            return (existing, false)
        }
        let json = String(decoding: try JSONCoding.encoder().encode(summary), as: UTF8.self)
        do {
            return try await transaction { conn in
                try await conn.query(
                    """
                    INSERT INTO models (hash, name, bytes, content, summary, created_by)
                    VALUES (\(hash), \(name), \(Int64(bytes.count)), \(ByteBuffer(bytes: bytes)), \(json)::jsonb, \(actor))
                    """, logger: logger)
                try await recordEvent(
                    conn, job: nil, name: "", actor: actor, kind: "model_added",
                    detail: "\(name): \(hash), \(bytes.count) bytes")
                let rows = try await conn.query(
                    "SELECT \(unescaped: Self.modelColumns) FROM models WHERE hash = \(hash)", logger: logger)
                guard let record = try await Self.modelRecords(rows).first else {
                    throw StoreError.conflict("insert returned nothing")
                }
                return (record, true)
            }
        } catch let e as PSQLError where e.serverInfo?[.sqlState] == "23505" {
            if let existing = try await modelRow(hash), existing.name == name { return (existing, false) }
            throw StoreError.conflict(
                "a model named \"\(name)\" already exists with other weights (ats model rm it first, or choose another name)"
            )
        }
    }

    /// The jobs that run a model (by definition or a revision), and the sweeps over it (as
    /// `sweep NAME`: their chunks and their trials' curves need it until the sweep is removed).
    private static let modelUsers = """
        SELECT name FROM (
            SELECT DISTINCT j.name FROM jobs j
            WHERE j.sweep_id IS NULL AND (j.spec->'strategy'->'config'->>'hash' = $1
                OR EXISTS (SELECT 1 FROM job_revisions r WHERE r.job_id = j.id AND r.strategy_config->>'hash' = $1))
            UNION ALL
            SELECT 'sweep ' || s.name FROM sweeps s WHERE s.spec->'strategy'->'config'->>'hash' = $1
        ) users ORDER BY 1
        """

    private func modelUsers(_ hash: String, on conn: PostgresConnection? = nil) async throws -> [String] {
        var bindings = PostgresBindings()
        bindings.append(hash)
        let query = PostgresQuery(unsafeSQL: Self.modelUsers, binds: bindings)
        let rows: PostgresRowSequence
        if let conn {
            rows = try await conn.query(query, logger: logger)
        } else {
            rows = try await client.query(query, logger: logger)
        }
        var names: [String] = []
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    public func models() async throws -> [ModelRecord] {
        var out = try await Self.modelRecords(
            try await client.query("SELECT \(unescaped: Self.modelColumns) FROM models ORDER BY name", logger: logger))
        for i in out.indices { out[i].jobs = try await modelUsers(out[i].hash) }
        return out
    }

    /// A model by name or hash, with the jobs that run it.
    public func model(_ ref: String) async throws -> ModelRecord {
        guard var record = try await modelRow(ref) else {
            throw StoreError.notFound("no model \"\(ref)\" (ats model list --cluster)")
        }
        record.jobs = try await modelUsers(record.hash)
        return record
    }

    /// A model's file; nil: no such model.
    func modelContent(_ hash: String) async throws -> [UInt8]? {
        let rows = try await client.query("SELECT content FROM models WHERE hash = \(hash)", logger: logger)
        for try await content in rows.decode(ByteBuffer.self) { return Array(buffer: content) }
        return nil
    }

    /// Removes a model no job runs and no sweep searches.
    public func deleteModel(_ ref: String, actor: String) async throws -> ModelRecord {
        guard let record = try await modelRow(ref) else {
            throw StoreError.notFound("no model \"\(ref)\" (ats model list --cluster)")
        }
        return try await transaction { conn in
            let locked = try await conn.query(
                "SELECT hash FROM models WHERE hash = \(record.hash) FOR UPDATE", logger: logger)
            guard try await locked.decode(String.self).first(where: { _ in true }) != nil else {
                throw StoreError.notFound("no model \"\(ref)\" (ats model list --cluster)")
            }
            let names = try await modelUsers(record.hash, on: conn)
            guard names.isEmpty else {
                let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", …" : "")
                throw StoreError.conflict(
                    "model \"\(record.name)\" is run by jobs or sweeps (\(shown)): delete them first (ats job delete, ats sweep rm)"
                )
            }
            try await conn.query("DELETE FROM models WHERE hash = \(record.hash)", logger: logger)
            try await recordEvent(
                conn, job: nil, name: "", actor: actor, kind: "model_removed", detail: "\(record.name): \(record.hash)")
            return record
        }
    }

    /// A model's record by name or hash, without its users; nil: none.
    func modelRow(_ ref: String) async throws -> ModelRecord? {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.modelColumns) FROM models WHERE name = \(ref) OR hash = \(ref)", logger: logger)
        return try await Self.modelRecords(rows).first
    }

    static func modelRecords(_ rows: PostgresRowSequence) async throws -> [ModelRecord] {
        var out: [ModelRecord] = []
        for try await (hash, name, bytes, summary, by, at) in rows.decode(
            (String, String, Int64, String, String, Date).self)
        {
            let s = try JSONCoding.decoder().decode(ModelRecord.Summary.self, from: Data(summary.utf8))
            out.append(ModelRecord(hash: hash, name: name, bytes: bytes, summary: s, createdBy: by, createdAt: at))
        }
        return out
    }
}

import ATSShared
import Foundation
import PostgresNIO

/// Venue credentials, sealed by ``CredentialVault`` before they reach the database. Like users,
/// not job state: written without the leader's term check.
extension JobStore {
    /// Names are 1–64 letters, digits, `.`, `_` or `-`.
    static func validCredentialName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)
            }
    }

    public func putCredential(
        name: String, venue: String, keyType: String, apiKeyLast4: String, sealed: Data, actor: String
    ) async throws -> CredentialRecord {
        do {
            let rows = try await client.query(
                """
                INSERT INTO venue_credentials (name, venue, key_type, api_key_last4, sealed, created_by)
                VALUES (\(name), \(venue), \(keyType), \(apiKeyLast4), \(ByteBuffer(data: sealed)), \(actor))
                RETURNING name, venue, key_type, api_key_last4, created_by, created_at
                """, logger: logger)
            for try await row in rows.decode((String, String, String, String, String, Date).self) {
                return CredentialRecord(
                    name: row.0, venue: row.1, keyType: row.2, apiKeyLast4: row.3, createdBy: row.4, createdAt: row.5)
            }
            throw StoreError.conflict("insert returned nothing")
        } catch let e as PSQLError where e.serverInfo?[.sqlState] == "23505" {
            throw StoreError.conflict("a credential named \"\(name)\" already exists (remove it first to replace it)")
        }
    }

    public func credentials() async throws -> [CredentialRecord] {
        let rows = try await client.query(
            """
            SELECT name, venue, key_type, api_key_last4, created_by, created_at FROM venue_credentials ORDER BY name
            """, logger: logger)
        var out: [CredentialRecord] = []
        for try await row in rows.decode((String, String, String, String, String, Date).self) {
            out.append(
                CredentialRecord(
                    name: row.0, venue: row.1, keyType: row.2, apiKeyLast4: row.3, createdBy: row.4, createdAt: row.5))
        }
        return out
    }

    /// The sealed bytes and key type of one credential, for the assignment of a live job.
    func sealedCredential(_ name: String) async throws -> (keyType: String, sealed: Data)? {
        let rows = try await client.query(
            "SELECT key_type, sealed FROM venue_credentials WHERE name = \(name)", logger: logger)
        for try await (type, sealed) in rows.decode((String, ByteBuffer).self) {
            return (type, Data(buffer: sealed))
        }
        return nil
    }

    func deleteCredential(_ name: String) async throws {
        let rows = try await client.query(
            "DELETE FROM venue_credentials WHERE name = \(name) RETURNING name", logger: logger)
        for try await _ in rows.decode(String.self) { return }
        throw StoreError.notFound("no credential named \"\(name)\"")
    }
}

import ATSShared
import Crypto
import Foundation
import PostgresNIO

/// Dashboard users and their sessions. These are not job state: they are written without the
/// leader's term check, so any coordinator can sign a browser in or out.
extension JobStore {
    /// A session found by its token.
    public struct SessionRecord: Sendable {
        public var user: String
        public var csrfToken: String
        public var expiresAt: Date
    }

    /// Names are 1–64 letters, digits, `.`, `_`, `-` or `@`.
    static func validUserName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) || "._-@".unicodeScalars.contains($0)
            }
    }

    /// Adds a user, or with `replace` sets a new password for an existing one (its sessions end).
    func putUser(name: String, passwordHash: String, actor: String, replace: Bool) async throws -> UserRecord {
        do {
            let rows: PostgresRowSequence
            if replace {
                rows = try await client.query(
                    """
                    INSERT INTO users (name, password_hash, created_by) VALUES (\(name), \(passwordHash), \(actor))
                    ON CONFLICT (name) DO UPDATE SET password_hash = EXCLUDED.password_hash
                    RETURNING name, created_by, created_at
                    """, logger: logger)
                try await client.query("DELETE FROM sessions WHERE user_name = \(name)", logger: logger)
            } else {
                rows = try await client.query(
                    """
                    INSERT INTO users (name, password_hash, created_by) VALUES (\(name), \(passwordHash), \(actor))
                    RETURNING name, created_by, created_at
                    """, logger: logger)
            }
            for try await (n, by, at) in rows.decode((String, String, Date).self) {
                return UserRecord(name: n, createdBy: by, createdAt: at)
            }
            throw StoreError.conflict("insert returned nothing")
        } catch let e as PSQLError where e.serverInfo?[.sqlState] == "23505" {
            throw StoreError.conflict("a user named \"\(name)\" already exists")
        }
    }

    public func users() async throws -> [UserRecord] {
        let rows = try await client.query(
            "SELECT name, created_by, created_at FROM users ORDER BY name", logger: logger)
        var out: [UserRecord] = []
        for try await (n, by, at) in rows.decode((String, String, Date).self) {
            out.append(UserRecord(name: n, createdBy: by, createdAt: at))
        }
        return out
    }

    /// Removes a user and ends their sessions.
    func deleteUser(_ name: String) async throws {
        let rows = try await client.query("DELETE FROM users WHERE name = \(name) RETURNING 1", logger: logger)
        for try await _ in rows.decode(Int.self) { return }
        throw StoreError.notFound("no user \"\(name)\"")
    }

    func passwordHash(of name: String) async throws -> String? {
        let rows = try await client.query("SELECT password_hash FROM users WHERE name = \(name)", logger: logger)
        for try await hash in rows.decode(String.self) { return hash }
        return nil
    }

    /// Starts a session: returns the cookie token (only its SHA-256 is stored) and the CSRF token.
    func createSession(user: String, ttl: Duration) async throws -> (token: String, csrfToken: String, expiresAt: Date)
    {
        let token = Self.randomToken()
        let csrf = Self.randomToken()
        let rows = try await client.query(
            """
            INSERT INTO sessions (token_hash, user_name, csrf_token, expires_at)
            VALUES (\(Self.tokenHash(token)), \(user), \(csrf), now() + make_interval(secs => \(ttl.seconds)))
            RETURNING expires_at
            """, logger: logger)
        for try await at in rows.decode(Date.self) { return (token, csrf, at) }
        throw StoreError.conflict("insert returned nothing")
    }

    /// The live session with this token, its expiry pushed out to `ttl` from now (sliding: a
    /// session ends after `ttl` without use). Expired sessions are deleted when met.
    func session(token: String, ttl: Duration) async throws -> SessionRecord? {
        let hash = Self.tokenHash(token)
        let rows = try await client.query(
            """
            UPDATE sessions SET last_seen_at = now(), expires_at = now() + make_interval(secs => \(ttl.seconds))
            WHERE token_hash = \(hash) AND expires_at > now()
            RETURNING user_name, csrf_token, expires_at
            """, logger: logger)
        for try await (user, csrf, at) in rows.decode((String, String, Date).self) {
            return SessionRecord(user: user, csrfToken: csrf, expiresAt: at)
        }
        try await client.query("DELETE FROM sessions WHERE expires_at <= now()", logger: logger)
        return nil
    }

    func deleteSession(token: String) async throws {
        try await client.query("DELETE FROM sessions WHERE token_hash = \(Self.tokenHash(token))", logger: logger)
    }

    /// 32 random bytes, URL-safe base64 without padding.
    static func randomToken() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func tokenHash(_ token: String) -> ByteBuffer {
        ByteBuffer(bytes: Array(SHA256.hash(data: Array(token.utf8))))
    }
}

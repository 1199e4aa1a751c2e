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
        public var role: Role
    }

    /// Names are 1–64 letters, digits, `.`, `_`, `-` or `@`.
    static func validUserName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) || "._-@".unicodeScalars.contains($0)
            }
    }

    /// Adds a user, or with `replace` sets a new password (and the role, when given) for an
    /// existing one (its sessions end).
    func putUser(name: String, passwordHash: String, role: Role?, actor: String, replace: Bool) async throws
        -> UserRecord
    {
        let newRole = (role ?? .viewer).rawValue
        do {
            let rows: PostgresRowSequence
            if replace {
                rows = try await client.query(
                    """
                    INSERT INTO users (name, password_hash, created_by, role)
                    VALUES (\(name), \(passwordHash), \(actor), \(newRole))
                    ON CONFLICT (name) DO UPDATE SET password_hash = EXCLUDED.password_hash,
                        role = CASE WHEN \(role?.rawValue)::text IS NULL THEN users.role ELSE EXCLUDED.role END
                    RETURNING name, created_by, created_at, role
                    """, logger: logger)
                try await client.query("DELETE FROM sessions WHERE user_name = \(name)", logger: logger)
            } else {
                rows = try await client.query(
                    """
                    INSERT INTO users (name, password_hash, created_by, role)
                    VALUES (\(name), \(passwordHash), \(actor), \(newRole))
                    RETURNING name, created_by, created_at, role
                    """, logger: logger)
            }
            for try await (n, by, at, r) in rows.decode((String, String, Date, String).self) {
                return UserRecord(name: n, createdBy: by, createdAt: at, role: Role(rawValue: r) ?? .viewer)
            }
            throw StoreError.conflict("insert returned nothing")
        } catch let e as PSQLError where e.serverInfo?[.sqlState] == "23505" {
            throw StoreError.conflict("a user named \"\(name)\" already exists")
        }
    }

    public func users() async throws -> [UserRecord] {
        let rows = try await client.query(
            "SELECT name, created_by, created_at, role FROM users ORDER BY name", logger: logger)
        var out: [UserRecord] = []
        for try await (n, by, at, r) in rows.decode((String, String, Date, String).self) {
            out.append(UserRecord(name: n, createdBy: by, createdAt: at, role: Role(rawValue: r) ?? .viewer))
        }
        return out
    }

    /// Removes a user and ends their sessions.
    func deleteUser(_ name: String) async throws {
        let rows = try await client.query("DELETE FROM users WHERE name = \(name) RETURNING 1", logger: logger)
        for try await _ in rows.decode(Int.self) { return }
        throw StoreError.notFound("no user \"\(name)\"")
    }

    /// A user's password hash and role, if the user exists.
    func credentials(of name: String) async throws -> (passwordHash: String, role: Role)? {
        let rows = try await client.query(
            "SELECT password_hash, role FROM users WHERE name = \(name)", logger: logger)
        for try await (hash, role) in rows.decode((String, String).self) {
            return (hash, Role(rawValue: role) ?? .viewer)
        }
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
            UPDATE sessions s SET last_seen_at = now(), expires_at = now() + make_interval(secs => \(ttl.seconds))
            FROM users u
            WHERE s.token_hash = \(hash) AND s.expires_at > now() AND u.name = s.user_name
            RETURNING s.user_name, s.csrf_token, s.expires_at, u.role
            """, logger: logger)
        for try await (user, csrf, at, role) in rows.decode((String, String, Date, String).self) {
            return SessionRecord(user: user, csrfToken: csrf, expiresAt: at, role: Role(rawValue: role) ?? .viewer)
        }
        try await client.query("DELETE FROM sessions WHERE expires_at <= now()", logger: logger)
        return nil
    }

    /// Whether the session with this token is still live (without extending it): a live stream
    /// ends when its session does (signed out, user deleted, password replaced, expired).
    func sessionIsLive(token: String) async throws -> Bool {
        let rows = try await client.query(
            "SELECT 1 FROM sessions WHERE token_hash = \(Self.tokenHash(token)) AND expires_at > now()", logger: logger)
        for try await _ in rows.decode(Int.self) { return true }
        return false
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

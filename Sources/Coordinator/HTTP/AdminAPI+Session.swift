import ATSShared
import Foundation
import HTTPTypes
import Hummingbird
import NIOPosix

/// Dashboard sign-in: `POST /api/session` with a user name and password sets an HttpOnly,
/// SameSite=Strict session cookie and answers the CSRF token the page must echo;
/// `GET /api/session` tells the page who is signed in; `DELETE /api/session` signs out.
/// Users are managed with the admin token or by a signed-in admin (`/api/users`); any user may
/// set their own password, proving the current one.
extension AdminAPI {
    struct Login: Decodable {
        var user: String
        var password: String
    }

    struct SessionView: ResponseEncodable {
        var user: String?
        var csrfToken: String?
        var expiresAt: Date?
        var role: String

        enum CodingKeys: String, CodingKey {
            case user, role
            case csrfToken = "csrf_token"
            case expiresAt = "expires_at"
        }
    }

    struct NewUser: Decodable {
        var name: String
        var password: String
        /// Set a new password when the user exists (their sessions end).
        var replace: Bool?
        /// viewer (the default for a new user), trader or admin.
        var role: Role?
        /// A user setting their own password proves the current one.
        var currentPassword: String?

        enum CodingKeys: String, CodingKey {
            case name, password, replace, role
            case currentPassword = "current_password"
        }
    }

    /// Runs a password hash off the event loops, if a place is free (429 otherwise).
    func hashing<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        guard sessions.gate.enter() else {
            var error = APIError(
                .tooManyRequests, code: "busy", "too many sign-ins at once; retry in a second")
            error.retryAfter = 1
            throw error
        }
        defer { sessions.gate.leave() }
        return try await NIOThreadPool.singleton.runIfActive(work)
    }

    static func address(_ context: APIContext) -> String {
        context.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Hashed once, checked when the user name is unknown, so a wrong name costs the same time
    /// as a wrong password.
    static let decoyHash: String = (try? PasswordHash.make(UUID().uuidString)) ?? ""

    func addSessionRoutes(to router: Router<APIContext>) {
        router.post("/api/session") { request, context -> Response in
            let login: Login
            do {
                login = try await request.decode(as: Login.self, context: context)
            } catch {
                throw APIError(.badRequest, code: "invalid_request", "expected {\"user\": …, \"password\": …}")
            }
            let address = Self.address(context)
            if case .wait(let wait) = await sessions.throttle.begin(login.user, address: address) {
                let seconds = wait.map { Int($0.seconds.rounded(.up)) } ?? 60
                var error = APIError(
                    .tooManyRequests, code: "too_many_attempts",
                    "too many failed sign-ins for this user or from this address; retry in \(seconds) s")
                error.retryAfter = seconds
                throw error
            }
            let stored = try await store.credentials(of: login.user)
            let ok = try await hashing {
                PasswordHash.verify(login.password, against: stored?.passwordHash ?? Self.decoyHash) && stored != nil
            }
            guard ok else {
                logger.notice(
                    "sign-in refused", metadata: ["user": "\(login.user.prefix(64))", "address": "\(address)"])
                throw APIError(.unauthorized, code: "unauthorized", "wrong user name or password")
            }
            await sessions.throttle.succeeded(login.user, address: address)
            let session = try await store.createSession(user: login.user, ttl: sessions.ttl)
            let role = stored?.role ?? .viewer
            logger.info("signed in", metadata: ["user": "\(login.user)", "role": "\(role.rawValue)"])
            var response = try SessionView(
                user: login.user, csrfToken: session.csrfToken, expiresAt: session.expiresAt, role: role.rawValue
            ).response(from: request, context: context)
            response.headers[.setCookie] = cookie(session.token, maxAge: Int(sessions.ttl.seconds))
            return response
        }
        let signedIn = router.group("/api").add(middleware: auth)
        signedIn.get("/session") { _, context -> SessionView in
            switch context.identity {
            case .user(let name, let csrf, let role): SessionView(user: name, csrfToken: csrf, role: role.rawValue)
            default: SessionView(role: "admin")
            }
        }
        signedIn.delete("/session") { request, _ -> Response in
            if let token = AuthMiddleware.sessionCookie(request.headers) { try await store.deleteSession(token: token) }
            var response = Response(status: .noContent)
            response.headers[.setCookie] = cookie("", maxAge: 0)
            return response
        }
        signedIn.get("/users") { _, _ in try await store.users() }
        signedIn.post("/users") { request, context -> EditedResponse<UserRecord> in
            let new: NewUser
            do {
                new = try await request.decode(as: NewUser.self, context: context)
            } catch {
                throw APIError(.badRequest, code: "invalid_request", "expected {\"name\": …, \"password\": …}")
            }
            guard JobStore.validUserName(new.name) else {
                throw APIError(
                    .badRequest, code: "invalid_request", "1 to 64 letters, digits, '.', '_', '-' or '@'",
                    field: "name")
            }
            guard new.password.count >= PasswordHash.minimumLength else {
                throw APIError(
                    .badRequest, code: "invalid_request",
                    "must be at least \(PasswordHash.minimumLength) characters", field: "password")
            }
            // Anyone below an admin may only set their own password, proving the current one,
            // and keeps their role.
            if let role = context.identity.role, role < .admin {
                guard case .user(let me, _, _) = context.identity, new.name == me, new.replace == true,
                    new.role == nil || new.role == role
                else {
                    throw APIError(
                        .forbidden, code: "forbidden",
                        "a \(role.rawValue) may only set their own password (name, current_password, replace: true)")
                }
                let stored = try await store.credentials(of: me)?.passwordHash
                let current = new.currentPassword ?? ""
                guard let stored, try await hashing({ PasswordHash.verify(current, against: stored) }) else {
                    throw APIError(
                        .forbidden, code: "forbidden", "the current password is wrong", field: "current_password")
                }
            }
            let password = new.password
            let hash = try await hashing { try PasswordHash.make(password) }
            let user = try await mapped {
                try await store.putUser(
                    name: new.name, passwordHash: hash, role: new.role, actor: actor(request, context),
                    replace: new.replace ?? false)
            }
            try? await store.event(
                job: nil, name: "", actor: actor(request, context), kind: "user_saved",
                detail: "\(new.name) (\(user.role.rawValue))")
            return EditedResponse(status: .created, response: user)
        }
        signedIn.delete("/users/:user") { request, context -> Response in
            let name = try context.parameters.require("user")
            try await mapped { try await store.deleteUser(name) }
            try? await store.event(
                job: nil, name: "", actor: actor(request, context), kind: "user_deleted", detail: name)
            return Response(status: .noContent)
        }
    }

    func cookie(_ value: String, maxAge: Int) -> String {
        "\(AuthMiddleware.cookieName)=\(value); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)"
            + (sessions.secureCookies ? "; Secure" : "")
    }
}

extension UserRecord: ResponseEncodable {}

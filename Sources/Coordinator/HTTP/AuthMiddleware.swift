import ATSShared
import HTTPTypes
import Hummingbird

/// Admits a request with the admin bearer token (the CLI, scripts) or with a dashboard session
/// cookie. A cookie-borne request that changes state (POST, PUT, PATCH, DELETE) must also carry
/// the session's CSRF token in `X-CSRF-Token`: another site can make a browser send the cookie,
/// never read the token. The identity found goes into the context for the audit trail, and its
/// role must be the one the route needs (``Permissions``): every route of the API is checked here.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let token: String
    let store: JobStore
    let sessionTTL: Duration

    static let cookieName = "ats_session"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        if let given = request.headers[.authorization] {
            guard given.hasPrefix("Bearer "), ConstantTime.equal(given.dropFirst(7).utf8, token.utf8) else {
                throw APIError(.unauthorized, code: "unauthorized", "wrong admin token (Authorization: Bearer …)")
            }
            context.identity = .adminToken
            return try await next(request, context)  // the token is an admin
        }
        guard let cookie = Self.sessionCookie(request.headers),
            let session = try await store.session(token: cookie, ttl: sessionTTL)
        else {
            throw APIError(
                .unauthorized, code: "unauthorized", "sign in, or send the admin token (Authorization: Bearer …)")
        }
        if ![.get, .head, .options].contains(request.method) {
            let echoed = request.headers[Self.csrfHeader] ?? ""
            guard ConstantTime.equal(echoed.utf8, session.csrfToken.utf8) else {
                throw APIError(.forbidden, code: "csrf", "missing or wrong X-CSRF-Token for this session")
            }
        }
        let needed = Permissions.required(request.method, context.endpointPath ?? request.uri.path)
        guard session.role >= needed else {
            throw APIError(
                .forbidden, code: "forbidden",
                "\(session.user) is a \(session.role.rawValue); this needs a \(needed.rawValue) or above")
        }
        context.identity = .user(name: session.user, csrfToken: session.csrfToken, role: session.role)
        return try await next(request, context)
    }

    /// The value of the session cookie, if the request has one.
    static func sessionCookie(_ headers: HTTPFields) -> String? {
        for line in headers[values: .cookie] {
            for pair in line.split(separator: ";") {
                let kv = pair.trimmingPrefix(" ")
                if kv.hasPrefix("\(cookieName)=") { return String(kv.dropFirst(cookieName.count + 1)) }
            }
        }
        return nil
    }
}

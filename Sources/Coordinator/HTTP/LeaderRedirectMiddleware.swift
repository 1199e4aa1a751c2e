import Foundation
import HTTPTypes
import Hummingbird

/// The admin API is served by the leader: a standby answers `307 Temporary Redirect` to the same
/// path on the leader (method and body kept), or `503` with `Retry-After` while no leader is
/// known. Runs after authentication, so only a client with the token learns where the leader is.
struct LeaderRedirectMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let leadership: Leadership

    struct Redirect: Encodable {
        var code: String
        var message: String
        var leader: String?
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if leadership.isLeader { return try await next(request, context) }
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        let status: HTTPResponse.Status
        let body: Redirect
        if let leader = leadership.knownLeader, !leader.httpURL.isEmpty {
            status = .temporaryRedirect
            headers[.location] = leader.httpURL + request.uri.description
            body = Redirect(
                code: "not_leader", message: "this coordinator is a standby; the leader is \(leader.httpURL)",
                leader: leader.httpURL)
        } else {
            status = .serviceUnavailable
            headers[.retryAfter] = "1"
            body = Redirect(
                code: "no_leader", message: "no leader is known yet (an election is under way); retry shortly",
                leader: nil)
        }
        let data = try JSONEncoder().encode(body)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

import ATSShared
import Hummingbird

/// Requires `Authorization: Bearer <admin token>` on every request it guards.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let given = request.headers[.authorization] ?? ""
        guard given.hasPrefix("Bearer "),
            ConstantTime.equal(given.dropFirst(7).utf8, token.utf8)
        else {
            throw APIError(
                .unauthorized, code: "unauthorized", "missing or wrong admin token (Authorization: Bearer …)")
        }
        return try await next(request, context)
    }
}

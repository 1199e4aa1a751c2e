import ATSEngine
import ATSShared
import Foundation
import HTTPTypes
import Hummingbird

/// An API error as JSON: `{"code": "invalid_spec", "message": "...", "field": "run.strategy.config.fast"}`
/// with a matching status. `code` is stable for programs; `message` is for people; `field` names
/// the field at fault when there is one.
struct APIError: HTTPResponseError, Encodable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var field: String?
    /// Seconds, sent as `Retry-After`.
    var retryAfter: Int?

    enum CodingKeys: String, CodingKey { case code, message, field }

    init(_ status: HTTPResponse.Status, code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    init(_ e: SpecError) {
        self.init(.badRequest, code: "invalid_spec", e.description, field: e.field)
    }

    init(_ e: StoreError) {
        switch e {
        case .notFound(let s): self.init(.notFound, code: "not_found", s)
        case .conflict(let s): self.init(.conflict, code: "conflict", s)
        case .invalid(let spec): self.init(spec)
        case .notLeader: self.init(.serviceUnavailable, code: "not_leader", e.description)
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(self)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

import ATSEngine
import ATSShared
import Foundation
import HTTPTypes
import Hummingbird

/// An API error as JSON: `{"error": "...", "field": "strategy.config.fast"}` with a matching status.
struct APIError: HTTPResponseError, Encodable {
    var status: HTTPResponse.Status
    var error: String
    var field: String?

    enum CodingKeys: String, CodingKey { case error, field }

    init(_ status: HTTPResponse.Status, _ error: String, field: String? = nil) {
        self.status = status
        self.error = error
        self.field = field
    }

    init(_ e: SpecError) {
        self.init(.badRequest, e.description, field: e.field)
    }

    init(_ e: StoreError) {
        switch e {
        case .notFound(let s): self.init(.notFound, s)
        case .conflict(let s): self.init(.conflict, s)
        case .invalid(let spec): self.init(spec)
        case .notLeader: self.init(.serviceUnavailable, e.description)
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(self)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

import ATSVenues
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore

extension FakeVenueServer {
    /// The WebSocket endpoints: the WebSocket API and the market streams.
    func webSocketRouter() -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        let venue = self.venue
        router.ws("/ws-api/v3") { inbound, outbound, _ in
            let (id, queue) = venue.hub.open(.api)
            try await Self.serve(venue, id: id, queue: queue, inbound: inbound, outbound: outbound) { text in
                venue.hub.send(id, Self.answer(venue, connection: id, request: text))
            }
        }
        router.ws("/ws/{streams}") { inbound, outbound, context in
            let names = Set(
                (context.request.uri.path.split(separator: "/").last ?? "").split(separator: "/").map(String.init))
            let (id, queue) = venue.hub.open(.market(combined: false), marketStreams: names)
            try await Self.serve(venue, id: id, queue: queue, inbound: inbound, outbound: outbound) { _ in }
        }
        router.ws("/stream") { inbound, outbound, context in
            let list = context.request.uri.queryParameters.get("streams") ?? ""
            let names = Set(list.split(separator: "/").map(String.init))
            let (id, queue) = venue.hub.open(.market(combined: true), marketStreams: names)
            try await Self.serve(venue, id: id, queue: queue, inbound: inbound, outbound: outbound) { _ in }
        }
        return router
    }

    /// Writes the connection's queue out in order while reading its requests; when the venue
    /// closes the queue (a dropped stream, `serverShutdown`) the connection closes.
    private static func serve(
        _ venue: FakeVenue, id: Int, queue: AsyncStream<String>, inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter, onText: @escaping @Sendable (String) -> Void
    ) async throws {
        defer { venue.hub.close(id) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in queue { try await outbound.write(.text(text)) }
                try await outbound.close(.goingAway, reason: "closed by the venue")
            }
            group.addTask {
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .text(let text) = message { onText(text) }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// One WebSocket API request (web-socket-api.md "Request format") and its answer.
    static func answer(_ venue: FakeVenue, connection: Int, request text: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let method = object["method"] as? String
        else {
            return reply(id: .null, status: 400, error: FakeVenueError(code: -1102, msg: "Malformed request."))
        }
        let id: JSONValue =
            switch object["id"] {
            case let s as String: .string(s)
            case let n as NSNumber: .int(n.int64Value)
            default: .null
            }
        var params: [String: String] = [:]
        for (name, value) in object["params"] as? [String: Any] ?? [:] {
            switch value {
            case let s as String: params[name] = s
            case let n as NSNumber: params[name] = n.stringValue
            default: continue
            }
        }
        let now = venue.nowMs()
        switch method {
        case "ping": return reply(id: id, result: [:])
        case "time": return reply(id: id, result: ["serverTime": .int(now)])
        case "session.logon":
            switch venue.verifier.verifyWebSocket(params: params, nowMs: now) {
            case .failure(let e): return reply(id: id, status: e.status, error: e)
            case .success(let account):
                venue.hub.logOn(connection, account: account.name)
                return reply(
                    id: id,
                    result: [
                        "apiKey": .string(account.apiKey), "authorizedSince": .int(now), "connectedSince": .int(now),
                        "returnRateLimits": false, "serverTime": .int(now), "userDataStream": false,
                    ])
            }
        case "userDataStream.subscribe":
            guard let account = venue.hub.loggedOn(connection) else {
                return reply(
                    id: id, status: 400,
                    error: FakeVenueError(code: -1002, msg: "You are not authorized to execute this request."))
            }
            return subscribe(venue, connection: connection, account: account, id: id)
        case "userDataStream.subscribe.signature":
            switch venue.verifier.verifyWebSocket(params: params, nowMs: now) {
            case .failure(let e): return reply(id: id, status: e.status, error: e)
            case .success(let account): return subscribe(venue, connection: connection, account: account.name, id: id)
            }
        case "userDataStream.unsubscribe":
            venue.hub.unsubscribe(connection, subscriptionId: params["subscriptionId"].flatMap { Int($0) }, nowMs: now)
            return reply(id: id, result: [:])
        default:
            return reply(id: id, status: 400, error: FakeVenueError(code: -1100, msg: "Unknown method '\(method)'."))
        }
    }

    private static func subscribe(_ venue: FakeVenue, connection: Int, account: String, id: JSONValue) -> String {
        guard let sub = venue.hub.subscribe(connection, account: account) else {
            return reply(
                id: id, status: 400,
                error: FakeVenueError(
                    code: -1211, msg: "This account already has an active subscription on this connection."))
        }
        return reply(id: id, result: ["subscriptionId": .int(Int64(sub))])
    }

    private static func reply(id: JSONValue, result: JSONValue) -> String {
        JSONValue.object([("id", id), ("status", 200), ("result", result)]).rendered
    }

    private static func reply(id: JSONValue, status: Int, error: FakeVenueError) -> String {
        JSONValue.object([
            ("id", id), ("status", .int(Int64(status))),
            ("error", ["code": .int(Int64(error.code)), "msg": .string(error.msg)]),
        ]).rendered
    }
}

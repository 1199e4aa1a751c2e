import ATSShared
import HTTPTypes
import Hummingbird
import Logging

/// Live updates as server-sent events (`GET /api/stream?topics=jobs,events,logs`) and the
/// coordinator's recent log lines (`GET /api/logs?after=SEQ&limit=N`).
extension AdminAPI {
    func addStreamRoutes(to api: RouterGroup<APIContext>) {
        api.get("/stream") { request, _ -> Response in
            let asked = request.uri.queryParameters.get("topics") ?? "jobs,events"
            var topics = Set<LiveFeed.Topic>()
            for word in asked.split(separator: ",") {
                guard let topic = LiveFeed.Topic(rawValue: String(word)) else {
                    let known = LiveFeed.Topic.allCases.map(\.rawValue).joined(separator: ", ")
                    throw APIError(
                        .badRequest, code: "invalid_request", "unknown topic \"\(word)\" (one of \(known))",
                        field: "topics")
                }
                topics.insert(topic)
            }
            let stream = await feed.subscribe(topics)
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: stream))
        }
        api.get("/logs") { request, _ -> [LogLine] in
            let after = request.uri.queryParameters.get("after", as: Int64.self)
            let limit = min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 500, 1), 2_000)
            let level = request.uri.queryParameters.get("level").flatMap(Logger.Level.init(rawValue:))
            let lines = logs.lines(after: after, limit: logs.capacity)
            let kept =
                level.map { min in lines.filter { (Logger.Level(rawValue: $0.level) ?? .trace) >= min } } ?? lines
            return Array(kept.suffix(limit))
        }
    }
}

extension LogLine: ResponseEncodable {}

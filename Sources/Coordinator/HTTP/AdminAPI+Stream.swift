import ATSShared
import HTTPTypes
import Hummingbird
import Logging

/// Live updates as server-sent events (`GET /api/stream?topics=jobs,events,logs`) and the
/// coordinator's recent log lines (`GET /api/logs?after=SEQ&limit=N`).
extension AdminAPI {
    func addStreamRoutes(to api: RouterGroup<APIContext>) {
        api.get("/stream") { request, context -> Response in
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
            var stream = await feed.subscribe(topics)
            if case .user = context.identity, let token = AuthMiddleware.sessionCookie(request.headers) {
                stream = endingWithSession(stream, token: token)
            }
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

extension AdminAPI {
    /// `stream`, ended when the session behind `token` ends (signed out, its user deleted or given
    /// a new password, expired): checked every ``SessionSettings/streamCheck``.
    func endingWithSession(_ stream: AsyncStream<ByteBuffer>, token: String) -> AsyncStream<ByteBuffer> {
        let (out, sink) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(64))
        let store = self.store
        let every = sessions.streamCheck
        let forward = Task {
            for await chunk in stream { sink.yield(chunk) }
            sink.finish()
        }
        let watch = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: every)
                if Task.isCancelled { return }
                if (try? await store.sessionIsLive(token: token)) == false {
                    sink.finish()
                    return
                }
            }
        }
        sink.onTermination = { _ in
            forward.cancel()
            watch.cancel()
        }
        return out
    }
}

extension LogLine: ResponseEncodable {}

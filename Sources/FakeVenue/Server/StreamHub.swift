import NIOConcurrencyHelpers

/// The venue's open WebSocket connections and what each is subscribed to: user data streams by
/// account (web-socket-api.md "User Data Stream subscription", each with its `subscriptionId`)
/// and market streams by name (`btcusdt@trade`). Every connection drains its own queue in order,
/// so a connection sees events in the order the venue made them.
final class StreamHub: Sendable {
    enum Kind: Sendable { case api, market(combined: Bool) }

    private struct Connection {
        var kind: Kind
        var out: AsyncStream<String>.Continuation
        /// account → subscription id.
        var userSubscriptions: [String: Int] = [:]
        var nextSubscriptionId = 0
        /// The account a `session.logon` authenticated, if any.
        var loggedOn: String?
        var marketStreams: Set<String> = []
    }

    private let state = NIOLockedValueBox((next: 1, connections: [Int: Connection]()))

    func open(_ kind: Kind, marketStreams: Set<String> = []) -> (Int, AsyncStream<String>) {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let id = state.withLockedValue { s in
            let id = s.next
            s.next += 1
            s.connections[id] = Connection(kind: kind, out: continuation, marketStreams: marketStreams)
            return id
        }
        return (id, stream)
    }

    func close(_ id: Int) {
        let c = state.withLockedValue { $0.connections.removeValue(forKey: id) }
        c?.out.finish()
    }

    func send(_ id: Int, _ text: String) {
        _ = state.withLockedValue { $0.connections[id]?.out.yield(text) }
    }

    func logOn(_ id: Int, account: String) { state.withLockedValue { $0.connections[id]?.loggedOn = account } }
    func loggedOn(_ id: Int) -> String? { state.withLockedValue { $0.connections[id]?.loggedOn } }

    /// A new subscription to `account`'s events on connection `id`; nil if it has one already
    /// ("only one active subscription for a given account on a given connection").
    func subscribe(_ id: Int, account: String) -> Int? {
        state.withLockedValue { s in
            guard var c = s.connections[id], c.userSubscriptions[account] == nil else { return nil }
            let sub = c.nextSubscriptionId
            c.nextSubscriptionId += 1
            c.userSubscriptions[account] = sub
            s.connections[id] = c
            return sub
        }
    }

    /// Ends one subscription (or all of the connection's): each gets `eventStreamTerminated`.
    func unsubscribe(_ id: Int, subscriptionId: Int?, nowMs: Int64) {
        state.withLockedValue { s in
            guard var c = s.connections[id] else { return }
            for (account, sub) in c.userSubscriptions where subscriptionId == nil || sub == subscriptionId {
                c.userSubscriptions[account] = nil
                let event: JSONValue = [
                    "subscriptionId": .int(Int64(sub)), "event": ["e": "eventStreamTerminated", "E": .int(nowMs)],
                ]
                c.out.yield(event.rendered)
            }
            s.connections[id] = c
        }
    }

    /// An account's event to every connection subscribed to it.
    func publish(account: String, event: JSONValue) {
        state.withLockedValue { s in
            for c in s.connections.values {
                guard let sub = c.userSubscriptions[account] else { continue }
                let framed: JSONValue = ["subscriptionId": .int(Int64(sub)), "event": event]
                c.out.yield(framed.rendered)
            }
        }
    }

    /// A market stream's event to every connection listening to it (combined connections get it
    /// wrapped as `{"stream": name, "data": event}`).
    func publish(stream: String, event make: @autoclosure () -> JSONValue) {
        state.withLockedValue { s in
            var built: JSONValue?
            for c in s.connections.values where c.marketStreams.contains(stream) {
                let event = built ?? make()
                built = event
                if case .market(combined: true) = c.kind {
                    c.out.yield(JSONValue.object([("stream", .string(stream)), ("data", event)]).rendered)
                } else {
                    c.out.yield(event.rendered)
                }
            }
        }
    }

    /// Closes every connection (a dropped stream).
    func dropAll() {
        let all = state.withLockedValue { s in
            defer { s.connections = [:] }
            return Array(s.connections.values)
        }
        for c in all { c.out.finish() }
    }

    /// `serverShutdown` to every connection, which then closes: the WebSocket API's as an event
    /// (web-socket-api.md "Server Shutdown"), the streams' as `{"e": "serverShutdown", …}`
    /// (web-socket-streams.md "Server Shutdown").
    func shutdown(nowMs: Int64) {
        let all = state.withLockedValue { s in
            defer { s.connections = [:] }
            return Array(s.connections.values)
        }
        let inner: JSONValue = ["e": "serverShutdown", "E": .int(nowMs)]
        for c in all {
            if case .api = c.kind {
                c.out.yield(JSONValue.object([("event", inner)]).rendered)
            } else {
                c.out.yield(inner.rendered)
            }
            c.out.finish()
        }
    }

}

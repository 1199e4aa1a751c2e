import ATSVenues
import Foundation
import Logging
import NIOCore
import NIOSSL
import WSClient

/// An account's user data stream over the WebSocket API (`userDataStream.subscribe.signature`;
/// the listenKey endpoints are retired). It reconnects whenever the connection ends — a dropped
/// connection, `serverShutdown`, `eventStreamTerminated`, or its own age limit ahead of the
/// venue's 24 hours — and says so with `.subscribed(generation:)` each time: events may have been
/// missed in between, so the consumer refills from `myTrades` by trade id (``TradeLedger``).
/// Pings are answered by the WebSocket layer.
public struct BinanceUserStream: Sendable {
    public enum Event: Sendable {
        /// A subscription is live (the first, or one after a gap: refill then).
        case subscribed(generation: Int)
        case event(BinanceOrders.UserDataEvent)
        /// The connection ended; a new one follows.
        case disconnected(reason: String)
    }

    public let url: String
    let credentials: BinanceCredentials
    let venueNowMs: @Sendable () -> Int64
    let logger: Logger
    /// Reconnect before the venue's 24-hour limit cuts the connection.
    public var maximumAge: Duration = .seconds(23 * 3_600 + 50 * 60)
    public var reconnectDelay: Duration = .milliseconds(250)

    public init(
        url: String, credentials: BinanceCredentials, logger: Logger, venueNowMs: @escaping @Sendable () -> Int64
    ) {
        self.url = url
        self.credentials = credentials
        self.logger = logger
        self.venueNowMs = venueNowMs
    }

    struct Frame: Decodable {
        struct Failure: Decodable {
            var code: Int
            var msg: String
        }
        struct Kind: Decodable { var e: String }
        var id: String?
        var status: Int?
        var error: Failure?
        var event: Kind?
    }

    struct StreamUnreadable: Error, CustomStringConvertible {
        var text: String
        var description: String { "unreadable user data stream frame: \(text)" }
    }

    struct SubscribeFailed: Error, CustomStringConvertible {
        var code: Int
        var msg: String
        var description: String { "subscription refused: \(code) \(msg)" }
    }

    /// Streams events to `handle` until cancelled, reconnecting as needed.
    public func run(_ handle: @escaping @Sendable (Event) async -> Void) async {
        var generation = 0
        var delay = reconnectDelay
        while !Task.isCancelled {
            generation += 1
            let reason: String
            let opened = ContinuousClock.now
            do {
                try await connectOnce(generation: generation, handle)
                reason = "closed"
                // A venue that closes at once is not hammered (300 connections per 5 minutes).
                delay = ContinuousClock.now - opened > .seconds(10) ? reconnectDelay : min(delay * 2, .seconds(30))
            } catch {
                reason = String(describing: error)
                delay = min(delay * 2, .seconds(30))
            }
            if Task.isCancelled { return }
            logger.warning("user data stream ended, reconnecting", metadata: ["reason": "\(reason)"])
            await handle(.disconnected(reason: reason))
            try? await Task.sleep(for: delay)
        }
    }

    private func connectOnce(generation: Int, _ handle: @escaping @Sendable (Event) async -> Void) async throws {
        let tls: TLSConfiguration? = url.hasPrefix("wss://") ? .makeClientConfiguration() : nil
        let credentials = self.credentials
        let now = venueNowMs
        let maximumAge = self.maximumAge
        try await WebSocketClient.connect(
            url: url,
            // The venue pings every 20 s; our own pings find a half-open connection (no pong within
            // the period closes it, and the loop reconnects and refills).
            configuration: .init(maxFrameSize: 1 << 22, autoPing: .enabled(timePeriod: .seconds(30))),
            tlsConfiguration: tls, logger: logger
        ) { inbound, outbound, _ in
            let params: [(String, String)] = [("apiKey", credentials.apiKey), ("timestamp", String(now()))]
            let signature = try credentials.signer.webSocketSignature(of: params)
            let request =
                "{\"id\":\"subscribe-\(generation)\",\"method\":\"userDataStream.subscribe.signature\",\"params\":{"
                + "\"apiKey\":\"\(credentials.apiKey)\",\"timestamp\":\(params[1].1),\"signature\":\"\(signature)\"}}"
            try await outbound.write(.text(request))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Ahead of the venue's 24-hour limit: close, and the loop reconnects.
                    try await Task.sleep(for: maximumAge)
                    try await outbound.close(.normalClosure, reason: "age limit")
                }
                group.addTask {
                    let decoder = JSONDecoder()
                    for try await message in inbound.messages(maxSize: 1 << 22) {
                        guard case .text(let text) = message else { continue }
                        let data = Data(text.utf8)
                        guard let frame = try? decoder.decode(Frame.self, from: data) else {
                            throw StreamUnreadable(text: String(text.prefix(200)))
                        }
                        // Any error ends the connection (a refused subscription, a revoked
                        // session: `"id": null, "status": 401`); the next one refills the gap.
                        if let e = frame.error { throw SubscribeFailed(code: e.code, msg: e.msg) }
                        if frame.id != nil {
                            await handle(.subscribed(generation: generation))
                            continue
                        }
                        guard let kind = frame.event?.e else { continue }
                        if kind == "serverShutdown" || kind == "eventStreamTerminated" {
                            try await outbound.close(.normalClosure, reason: kind)
                            return
                        }
                        // An event that cannot be read may be a fill: reconnect, and the refill
                        // counts it, rather than go on without it.
                        guard let event = try? BinanceOrders.UserDataEvent.decode(data) else {
                            throw StreamUnreadable(text: String(text.prefix(200)))
                        }
                        await handle(.event(event))
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}

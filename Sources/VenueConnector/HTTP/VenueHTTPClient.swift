import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// HTTP/1.1 to one venue host over kept-alive connections (TLS for `https`), one request at a
/// time per connection. It sends exactly the target and body it is given (the bytes signed are
/// the bytes sent) and never retries: whether to ask again is the caller's decision, because a
/// new order must never be sent twice.
public final class VenueHTTPClient: Sendable {
    public let host: String
    public let port: Int
    let tls: NIOSSLContext?
    let group: any EventLoopGroup
    let connectTimeout: TimeAmount
    private let idle = NIOLockedValueBox<[any Channel]>([])
    private static let maximumIdle = 8

    /// `baseURL`: `http://host[:port]` or `https://host[:port]`.
    public init(
        baseURL: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        connectTimeout: TimeAmount = .seconds(5)
    ) throws {
        let secure: Bool
        let rest: Substring
        if baseURL.hasPrefix("https://") {
            secure = true
            rest = baseURL.dropFirst(8)
        } else if baseURL.hasPrefix("http://") {
            secure = false
            rest = baseURL.dropFirst(7)
        } else {
            throw VenueHTTPError.invalidURL(baseURL)
        }
        let authority = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let parts = authority.split(separator: ":")
        guard let h = parts.first, !h.isEmpty else { throw VenueHTTPError.invalidURL(baseURL) }
        host = String(h)
        if parts.count > 1 {
            guard let p = Int(parts[1]) else { throw VenueHTTPError.invalidURL(baseURL) }
            port = p
        } else {
            port = secure ? 443 : 80
        }
        tls = secure ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        self.group = group
        self.connectTimeout = connectTimeout
    }

    /// The `Host` header every request carries (signers sign this value).
    public var hostHeader: String { port == 80 || port == 443 ? host : "\(host):\(port)" }

    /// One request, one answer (or an error saying why there is none).
    public func execute(
        method: HTTPMethod, target: String, headers: [(String, String)] = [], body: [UInt8] = [],
        timeout: Duration = .seconds(10)
    ) async throws -> VenueHTTPResponse {
        try await execute(
            method: method, target: target, headers: headers, buffer: ByteBuffer(bytes: body), timeout: timeout)
    }

    /// One request whose body is already a buffer (sent as it is, not copied).
    public func execute(
        method: HTTPMethod, target: String, headers: [(String, String)] = [], buffer body: ByteBuffer,
        timeout: Duration = .seconds(10)
    ) async throws -> VenueHTTPResponse {
        let channel = try await checkout()
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: target)
        head.headers.add(name: "Host", value: hostHeader)
        head.headers.add(name: "User-Agent", value: "ats")
        head.headers.add(name: "Connection", value: "keep-alive")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        if body.readableBytes > 0 || method == .POST || method == .PUT || method == .DELETE {
            head.headers.add(name: "Content-Length", value: String(body.readableBytes))
        }
        let promise = channel.eventLoop.makePromise(of: VenueHTTPResponse.self)
        let request = PendingRequest(
            head: head, body: body.readableBytes == 0 ? nil : body, promise: promise,
            timeout: .milliseconds(Int64((timeout / .milliseconds(1)).rounded())))
        // A connection closed under us never reaches the collector: the failed write completes
        // the answer's promise (a second completion is ignored).
        channel.writeAndFlush(request).whenFailure { _ in promise.fail(VenueHTTPError.connectionClosed) }
        do {
            // A cancelled caller stops waiting at once (a live run fenced mid-order): the
            // connection is closed, and what the venue did is for reconciliation to find.
            let response = try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                promise.fail(CancellationError())
            }
            if response.keepAlive && channel.isActive { checkin(channel) } else { channel.close(promise: nil) }
            return response
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    private func checkout() async throws -> any Channel {
        while let c = idle.withLockedValue({ $0.popLast() }) {
            if c.isActive { return c }
        }
        let ssl = tls
        let host = self.host
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let ssl {
                        // An IP address is not a server name (SNI refuses it); the certificate is
                        // still checked against it.
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: ssl, serverHostname: Self.isIPAddress(host) ? nil : host))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector())
                }
            }
        do {
            return try await bootstrap.connect(host: host, port: port).get()
        } catch {
            throw VenueHTTPError.notConnected(String(describing: error))
        }
    }

    /// An IPv4 or IPv6 literal (not a name).
    static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || (!host.isEmpty && host.allSatisfy { $0.isNumber || $0 == "." })
    }

    private func checkin(_ channel: any Channel) {
        let extra = idle.withLockedValue { list -> (any Channel)? in
            guard list.count < Self.maximumIdle else { return channel }
            list.append(channel)
            return nil
        }
        extra?.close(promise: nil)
    }

    /// Closes the idle connections.
    public func shutdown() {
        for c in idle.withLockedValue({ list in
            defer { list = [] }
            return list
        }) {
            c.close(promise: nil)
        }
    }
}

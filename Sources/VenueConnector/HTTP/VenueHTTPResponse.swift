/// A venue's HTTP answer: status, headers as sent, body bytes.
public struct VenueHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Whether the connection may carry another request.
    var keepAlive: Bool

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// Why a request got no answer. Whether it reached the venue is unknown in every case but
/// `notConnected` (nothing was written).
public enum VenueHTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    /// The connection could not be opened: nothing was sent.
    case notConnected(String)
    /// No complete answer within the request's timeout.
    case timedOut
    /// The connection closed before the answer was complete.
    case connectionClosed
    case busy

    public var description: String {
        switch self {
        case .invalidURL(let u): "invalid URL \(u)"
        case .notConnected(let why): "cannot connect: \(why)"
        case .timedOut: "no answer in time"
        case .connectionClosed: "the connection closed before the answer"
        case .busy: "a request is already in flight on this connection"
        }
    }
}

/// A refusal as the venue answers it: the HTTP status and the documented code and message
/// (errors.md).
public struct FakeVenueError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: Int
    public var msg: String

    public init(status: Int = 400, code: Int, msg: String) {
        self.status = status
        self.code = code
        self.msg = msg
    }

    public var description: String { "\(status) \(code) \(msg)" }

    static func mandatory(_ name: String) -> FakeVenueError {
        FakeVenueError(code: -1102, msg: "Mandatory parameter '\(name)' was not sent, was empty/null, or malformed.")
    }
    static let badSymbol = FakeVenueError(code: -1121, msg: "Invalid symbol.")
    static let noSuchOrder = FakeVenueError(code: -2013, msg: "Order does not exist.")
    static func filter(_ name: String) -> FakeVenueError { FakeVenueError(code: -1013, msg: "Filter failure: \(name)") }
    static func rejected(_ why: String) -> FakeVenueError { FakeVenueError(code: -2010, msg: why) }
    /// -1007: the request timed out inside the venue, execution status unknown (errors.md).
    static let statusUnknown = FakeVenueError(
        status: 503, code: -1007,
        msg: "Timeout waiting for response from backend server. Send status unknown; execution status unknown.")
}

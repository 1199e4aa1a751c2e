import ATSVenues

/// Why a venue request did not give the answer asked for.
public enum VenueRequestError: Error, Sendable, CustomStringConvertible {
    /// The venue refused it with its code and message (errors.md).
    case venue(status: Int, code: Int, message: String)
    /// The venue banned this address (418) until then: nothing may be sent, by any job.
    case banned(untilMs: Int64)
    /// No usable answer (timeout, closed connection, 5xx, a body that is not the venue's).
    case noAnswer(String)
    /// A SIGNED request without credentials.
    case noCredentials

    public var description: String {
        switch self {
        case .venue(let status, let code, let message): "venue refused (HTTP \(status)): \(code) \(message)"
        case .banned(let until): "the venue banned this address until \(until) (418)"
        case .noAnswer(let why): "no answer from the venue: \(why)"
        case .noCredentials: "this request needs API credentials"
        }
    }
}

/// Why a peer's bytes were refused. Any of these closes that connection only.
public enum ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    case frameTooLarge(length: UInt32, maximum: Int)
    case emptyFrame
    case unknownMessageType(UInt8)
    case malformed(message: String, reason: String)
    case unexpectedMessage(String)
    /// A job message out of order on one connection: its `message_seq` must be the previous + 1.
    case sequence(expected: UInt64, got: UInt64)

    public var description: String {
        switch self {
        case .frameTooLarge(let l, let m): "frame of \(l) bytes exceeds the maximum of \(m)"
        case .emptyFrame: "empty frame"
        case .unknownMessageType(let t): "unknown message type \(t)"
        case .malformed(let m, let r): "malformed \(m): \(r)"
        case .unexpectedMessage(let m): "unexpected message \(m)"
        case .sequence(let e, let g):
            g < e ? "message_seq \(g) went back (expected \(e))" : "message_seq \(g) skipped ahead (expected \(e))"
        }
    }
}

import ATSEngine
import ATSShared

/// Why the store refused an operation; the API maps each to an HTTP status.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(String)
    case conflict(String)
    case invalid(SpecError)
    /// This coordinator does not lead (any more): nothing was written.
    case notLeader

    public var description: String {
        switch self {
        case .notFound(let s): s
        case .conflict(let s): s
        case .invalid(let e): e.description
        case .notLeader:
            "this coordinator is not the leader (it is a standby, or was just deposed); nothing was written"
        }
    }
}

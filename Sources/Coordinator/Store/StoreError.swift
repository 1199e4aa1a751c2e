import ATSEngine
import ATSShared

/// Why the store refused an operation; the API maps each to an HTTP status.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(String)
    case conflict(String)
    case invalid(SpecError)

    public var description: String {
        switch self {
        case .notFound(let s): s
        case .conflict(let s): s
        case .invalid(let e): e.description
        }
    }
}

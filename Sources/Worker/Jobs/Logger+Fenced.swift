import Foundation
import Logging

extension Logger {
    /// A run stopped because its lease was not confirmed in time (self-fencing), with the moment
    /// it stopped (`fenced_at_ms`, wall clock), which the fault tests compare with the hand-over.
    func fenced(_ what: String, _ metadata: Logger.Metadata = [:]) {
        let at = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        warning(
            "lease not confirmed in time: \(what) stopped (self-fencing)",
            metadata: metadata.merging(["fenced_at_ms": "\(at)"]) { $1 })
    }
}

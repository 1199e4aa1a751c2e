import Synchronization

/// Bounds the password hashes computed at once. A hash is a quarter of a second of a core
/// (PBKDF2, 600,000 rounds), and sign-in is open to anyone: beyond `limit` at once the API
/// answers 429 instead of queueing work that would starve the coordinator.
final class HashGate: Sendable {
    let limit: Int
    private let inUse = Atomic<Int>(0)

    init(limit: Int) { self.limit = max(1, limit) }

    /// Takes a place, or returns false when all are taken.
    func enter() -> Bool {
        let now = inUse.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        if now > limit {
            inUse.wrappingSubtract(1, ordering: .acquiringAndReleasing)
            return false
        }
        return true
    }

    func leave() { inUse.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
}

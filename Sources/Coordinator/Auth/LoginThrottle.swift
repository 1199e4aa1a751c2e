import Foundation

/// Slows password guessing: after `limit` failed sign-ins for one user name within `window`,
/// further attempts for that name are refused until the window has passed since the first of
/// them. Kept in memory per coordinator (a restart forgets it; the hash cost still bounds guesses).
actor LoginThrottle {
    let limit: Int
    let window: Duration
    private var failures: [String: [ContinuousClock.Instant]] = [:]

    init(limit: Int = 5, window: Duration = .seconds(300)) {
        self.limit = limit
        self.window = window
    }

    /// How long the caller must wait before trying this name again; nil when it may try now.
    func retryAfter(_ name: String, now: ContinuousClock.Instant = .now) -> Duration? {
        let recent = (failures[name] ?? []).filter { now - $0 < window }
        failures[name] = recent.isEmpty ? nil : recent
        guard recent.count >= limit, let first = recent.first else { return nil }
        return window - (now - first)
    }

    func failed(_ name: String, now: ContinuousClock.Instant = .now) {
        failures[name, default: []].append(now)
        // Bounded memory whatever names are tried.
        if failures.count > 10_000 { failures.removeAll() }
    }

    func succeeded(_ name: String) { failures[name] = nil }
}

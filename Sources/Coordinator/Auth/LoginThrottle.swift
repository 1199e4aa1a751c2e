import Foundation

/// Slows password guessing, per user name and per client address: after `perName` failed
/// sign-ins for a name, or `perAddress` from an address, within `window`, further attempts are
/// refused until the window has passed since the first of them. An attempt counts as a failure
/// from the moment it starts (a success takes it back), so parallel guesses cannot slip past the
/// count. Nothing is ever reset wholesale: entries leave only when their failures age out of the
/// window, and when `capacity` keys are tracked, sign-ins under names and addresses not yet
/// tracked are refused rather than anyone's count forgotten. In memory, per coordinator.
actor LoginThrottle {
    let perName: Int
    let perAddress: Int
    let window: Duration
    let capacity: Int
    private var failures: [String: [ContinuousClock.Instant]] = [:]
    private var lastPrune = ContinuousClock.now

    init(perName: Int = 5, perAddress: Int = 20, window: Duration = .seconds(300), capacity: Int = 100_000) {
        self.perName = perName
        self.perAddress = perAddress
        self.window = window
        self.capacity = capacity
    }

    enum Verdict: Equatable {
        case proceed
        /// Wait this long (nil when the throttle is full and cannot say).
        case wait(Duration?)
    }

    /// Starts an attempt for `name` from `address`: proceed (the attempt is counted as failed
    /// until ``succeeded(_:address:now:)``) or wait.
    func begin(_ name: String, address: String, now: ContinuousClock.Instant = .now) -> Verdict {
        if now - lastPrune >= window { prune(now) }
        let nameKey = "n:" + name
        let addressKey = "a:" + address
        let names = recent(nameKey, now)
        let addresses = recent(addressKey, now)
        var wait: Duration?
        if names.count >= perName, let first = names.first { wait = window - (now - first) }
        if addresses.count >= perAddress, let first = addresses.first {
            wait = max(wait ?? .zero, window - (now - first))
        }
        if let wait { return .wait(wait) }
        let untracked = (failures[nameKey] == nil ? 1 : 0) + (failures[addressKey] == nil ? 1 : 0)
        if failures.count + untracked > capacity {
            prune(now)
            if failures.count + untracked > capacity { return .wait(nil) }
        }
        failures[nameKey, default: []].append(now)
        failures[addressKey, default: []].append(now)
        return .proceed
    }

    /// The attempt succeeded: the name's failures are forgotten, and this attempt no longer counts
    /// against the address.
    func succeeded(_ name: String, address: String) {
        failures["n:" + name] = nil
        let key = "a:" + address
        if var list = failures[key], !list.isEmpty {
            list.removeLast()
            failures[key] = list.isEmpty ? nil : list
        }
    }

    var trackedKeys: Int { failures.count }

    private func recent(_ key: String, _ now: ContinuousClock.Instant) -> [ContinuousClock.Instant] {
        guard let list = failures[key] else { return [] }
        let kept = list.filter { now - $0 < window }
        failures[key] = kept.isEmpty ? nil : kept
        return kept
    }

    private func prune(_ now: ContinuousClock.Instant) {
        lastPrune = now
        for key in Array(failures.keys) { _ = recent(key, now) }
    }
}

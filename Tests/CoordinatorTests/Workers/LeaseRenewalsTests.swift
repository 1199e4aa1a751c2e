import ATSShared
import ATSTestSupport
import Foundation
import PostgresNIO
import Testing

@testable import ATSCoordinator

/// Heartbeats of many connections at once share transactions, every one of them is renewed, and a
/// failure or a hung statement stays the business of the workers it concerns.
@Suite(.serialized)
struct LeaseRenewalsTests {
    @Test func heartbeatsArrivingTogetherAreWrittenTogetherAndAllRenewed() async throws {
        try await JobStoreTests().withStore(leaseTimeout: .seconds(30)) { store in
            let workers = (0..<50).map { "w\($0)" }
            for w in workers {
                _ = try await store.connect(
                    Hello(workerId: w, host: "h", capacity: 1, labels: [], instance: "i-\(w)"), session: "s-\(w)")
            }
            try await store.client.query("UPDATE workers SET lease_expires_at = now() - interval '1 minute'")
            let renewals = LeaseRenewals(store: store, timeout: .seconds(30), logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in workers { group.addTask { try await renewals.renew(w) } }
                try await group.waitForAll()
            }
            let renewed = try await store.client.query(
                "SELECT count(*) FROM workers WHERE lease_expires_at > now() + interval '20 seconds'"
            ).decode(Int64.self).first { _ in true }
            #expect(renewed == 50, "every worker's lease renewed")
            // One statement each took 50 before; the first goes alone, the rest wait for it.
            let writes = await renewals.writes
            #expect(writes < 25, "\(writes) statements for 50 heartbeats")
            // Alone, a heartbeat is written at once.
            try await renewals.renew("w0")
            #expect(await renewals.writes == writes + 1)
        }
    }

    struct Refused: Error {}

    /// A shared statement that fails is written again worker by worker: only the worker whose own
    /// renewal fails hears of it (one error used to fail every connection that waited).
    @Test func aFailedSharedStatementFailsOnlyTheWorkerItConcerns() async throws {
        let statements = Locked<[[String]]>([])
        let renewals = LeaseRenewals(maxInFlight: 1) { workers in
            statements.withLock { $0.append(workers) }
            try await Task.sleep(for: .milliseconds(20))
            if workers.contains("bad") { throw Refused() }
        }
        // The first goes alone; the rest wait for it and are then written together.
        let first = Task { try await renewals.renew("a") }
        try await waitUntil("the first statement is in flight", timeout: .seconds(10)) {
            statements.withLock { !$0.isEmpty }
        }
        var results = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for w in ["b", "bad", "c", "d"] {
                group.addTask {
                    do {
                        try await renewals.renew(w)
                        return (w, true)
                    } catch {
                        return (w, false)
                    }
                }
            }
            return try await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
        }
        results["a"] = (try? await first.value) != nil
        #expect(results == ["a": true, "b": true, "bad": false, "c": true, "d": true])
        // Something was shared (then split, each alone written again).
        let written = statements.withLock { $0 }
        #expect(written.contains { $0.count > 1 && $0.contains("bad") }, "\(written)")
        #expect(written.filter { $0 == ["bad"] }.count >= 1)
        #expect(await renewals.splits >= 1)
    }

    /// A statement that never returns holds one slot: the others keep renewing.
    @Test func aHungStatementDoesNotHoldTheOthers() async throws {
        let release = Locked<CheckedContinuation<Void, Never>?>(nil)
        let renewals = LeaseRenewals(maxInFlight: 2, timeout: .seconds(60)) { workers in
            if workers == ["stuck"] {
                await withCheckedContinuation { c in release.withLock { $0 = c } }
            }
        }
        let stuck = Task { try await renewals.renew("stuck") }
        try await waitUntil("the stuck statement is in flight", timeout: .seconds(10)) {
            release.withLock { $0 != nil }
        }
        for round in 0..<20 { try await renewals.renew("w\(round % 3)") }
        release.withLock { $0?.resume() }
        try await stuck.value
    }

    /// A statement that never returns, whatever is done to it (as one caught in flight by a
    /// PostgreSQL restart was seen to do), is left behind after the timeout, and its worker is
    /// written with the next statement: the renewal completes.
    @Test func aStatementThatNeverReturnsIsLeftBehindAndWrittenAgain() async throws {
        let calls = Locked(0)
        let renewals = LeaseRenewals(maxInFlight: 1, timeout: .milliseconds(200)) { _ in
            let call = calls.withLock { n in
                n += 1
                return n
            }
            // The first statement never returns, even when cancelled.
            if call == 1 { await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in } }
        }
        try await renewals.renew("w1")
        #expect(calls.withLock { $0 } == 2)
        #expect(await renewals.abandoned == 1)
        // And the slot is free for the next ones.
        try await renewals.renew("w2")
        #expect(calls.withLock { $0 } == 3)
    }
}

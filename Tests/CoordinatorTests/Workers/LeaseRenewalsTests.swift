import ATSShared
import ATSTestSupport
import Foundation
import PostgresNIO
import Testing

@testable import ATSCoordinator

/// Heartbeats of many connections at once share transactions, every one of them is renewed, and a
/// failure or a hung statement stays the business of the workers it concerns.
/// The time limit guards against a hang only: the main test phase runs a hundred suites at once
/// on two cores, where these took up to 75 s of wall time (a minute was too tight).
@Suite(.serialized, .timeLimit(.minutes(3)))
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

    /// A gate a test opens: whoever waits on it returns once it is open.
    final class Gate: Sendable {
        private let state = Locked<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
        func wait() async {
            await withCheckedContinuation { c in
                let resumeNow = state.withLock { s -> Bool in
                    if s.open { return true }
                    s.waiters.append(c)
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
        func open() {
            for c in state.withLock({ s -> [CheckedContinuation<Void, Never>] in
                s.open = true
                defer { s.waiters = [] }
                return s.waiters
            }) {
                c.resume()
            }
        }
    }

    /// A shared statement that fails is written again worker by worker: only the worker whose own
    /// renewal fails hears of it (one error used to fail every connection that waited).
    @Test func aFailedSharedStatementFailsOnlyTheWorkerItConcerns() async throws {
        let statements = Locked<[[String]]>([])
        let firstDone = Gate()
        let renewals = LeaseRenewals(maxInFlight: 1, timeout: .seconds(30)) { workers in
            let n = statements.withLock { list in
                list.append(workers)
                return list.count
            }
            if n == 1 { await firstDone.wait() }
            if workers.contains("bad") { throw Refused() }
        }
        // The first goes alone and is held until the other four wait for the next statement.
        let first = Task { try await renewals.renew("a") }
        try await waitUntil("the first statement is in flight", timeout: .seconds(10)) {
            statements.withLock { !$0.isEmpty }
        }
        let others = Task {
            try await withThrowingTaskGroup(of: (String, Bool).self) { group in
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
        }
        try await waitUntil("the four wait", timeout: .seconds(10)) { await renewals.unanswered == 5 }
        firstDone.open()
        var results = try await others.value
        results["a"] = (try? await first.value) != nil
        #expect(results == ["a": true, "b": true, "bad": false, "c": true, "d": true])
        let written = statements.withLock { $0 }
        #expect(written[1] == ["b", "bad", "c", "d"], "the four shared one statement: \(written)")
        #expect(written.filter { $0 == ["bad"] }.count == 1, "then each alone: \(written)")
        #expect(await renewals.splits == 1)
    }

    /// A statement that never returns holds one slot: the others keep renewing.
    @Test func aHungStatementDoesNotHoldTheOthers() async throws {
        let stuck = Gate()
        let renewals = LeaseRenewals(maxInFlight: 2, timeout: .seconds(60)) { workers in
            if workers == ["stuck"] { await stuck.wait() }
        }
        let held = Task { try await renewals.renew("stuck") }
        try await waitUntil("the stuck statement is in flight", timeout: .seconds(10)) {
            await renewals.writes == 1
        }
        for round in 0..<20 { try await renewals.renew("w\(round % 3)") }
        #expect(await renewals.unanswered == 1)
        stuck.open()
        try await held.value
    }

    /// A statement that never returns, even cancelled (as ones caught in flight by a PostgreSQL
    /// restart were seen to do): after the timeout its worker goes into the next statement, which
    /// answers the renewal; the slot is freed after three timeouts.
    @Test func aStatementThatNeverReturnsIsHedged() async throws {
        let calls = Locked(0)
        let renewals = LeaseRenewals(maxInFlight: 1, maxRunning: 1, timeout: .seconds(1)) { _ in
            let call = calls.withLock { n in
                n += 1
                return n
            }
            if call == 1 { await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in } }
        }
        try await renewals.renew("w1")
        #expect(calls.withLock { $0 } == 2, "written again")
        #expect(await renewals.hedged == 1)
        try await renewals.renew("w2")
        #expect(calls.withLock { $0 } == 3)
    }

    /// A slow statement that commits after its timeout still answers its renewals, while the
    /// hedge written after it hangs: only a commit answers a renewal, and the first one does.
    @Test func aLateCommitAnswersItsRenewals() async throws {
        let calls = Locked(0)
        let firstGo = Gate()
        let hedge = Gate()
        let renewals = LeaseRenewals(maxInFlight: 1, timeout: .seconds(1)) { _ in
            let call = calls.withLock { n in
                n += 1
                return n
            }
            if call == 1 {
                await firstGo.wait()
            } else {
                await hedge.wait()
                throw Refused()
            }
        }
        let renewal = Task { try await renewals.renew("w1") }
        // Past its timeout the first is hedged; then it commits.
        try await waitUntil("the hedge is written", timeout: .seconds(10)) { calls.withLock { $0 } >= 2 }
        #expect(await renewals.unanswered == 1)
        firstGo.open()
        try await renewal.value
        #expect(await renewals.hedged >= 1)
        // The hedge then fails: nothing is left to answer, and nothing is answered twice.
        hedge.open()
        try await waitUntil("the hedges returned", timeout: .seconds(10)) { await renewals.unanswered == 0 }
    }

    /// A renewal whose caller is cancelled (its connection closed) stops waiting at once.
    @Test func aCancelledRenewalStopsWaiting() async throws {
        let stuck = Gate()
        let renewals = LeaseRenewals(maxInFlight: 1, timeout: .seconds(60)) { _ in await stuck.wait() }
        let caller = Task { try await renewals.renew("w1") }
        try await waitUntil("in flight", timeout: .seconds(10)) { await renewals.writes == 1 }
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(await renewals.unanswered == 0)
        stuck.open()
    }
}

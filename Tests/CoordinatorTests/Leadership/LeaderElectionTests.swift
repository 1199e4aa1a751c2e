import ATSDatabase
import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import ATSCoordinator

/// The leader row against a real PostgreSQL, election rounds driven by hand: one leader at a
/// time, takeover when the leader's session dies or its row expires, and every write of a deposed
/// leader refused.
@Suite(.serialized)
struct LeaderElectionTests {
    /// A coordinator as far as elections go: its role, its election, its store.
    struct Candidate {
        let leadership: Leadership
        let election: LeaderElection
        let round = LeaderElection.Round()
        let store: JobStore

        init(_ name: String, url: String, client: PostgresClient, lease: Duration) {
            leadership = Leadership(instanceId: name)
            leadership.advertise(workerAddress: "\(name):7070", httpURL: "http://\(name):8080")
            election = LeaderElection(
                configuration: .init(databaseURL: url, lease: lease, renewInterval: lease / 4),
                leadership: leadership, logger: Logger(label: name))
            store = JobStore(
                client: client, logger: Logger(label: name), leaseTimeout: .seconds(5), leadership: leadership)
        }

        func round() async { await election.runRound(round) }
    }

    func withCandidates(
        lease: Duration = .seconds(30), _ body: @Sendable (Candidate, Candidate, PostgresClient) async throws -> Void
    )
        async throws
    {
        try await TestDatabase.with { db in
            try await TestDatabase.withClient(db.url) { client in
                try await Migrator(client: client, logger: Logger(label: "test")).migrate()
                let a = Candidate("a", url: db.url, client: client, lease: lease)
                let b = Candidate("b", url: db.url, client: client, lease: lease)
                do {
                    try await body(a, b, client)
                } catch {
                    await a.election.resign(a.round)
                    await b.election.resign(b.round)
                    throw error
                }
                await a.election.resign(a.round)
                await b.election.resign(b.round)
            }
        }
    }

    static let spec = JobStoreTests.spec

    func jobCount(_ client: PostgresClient) async throws -> Int64 {
        try await client.query("SELECT count(*) FROM jobs").decode(Int64.self).first { _ in true } ?? -1
    }

    @Test func theFirstCandidateLeadsAndTheOtherStandsBy() async throws {
        try await withCandidates { a, b, _ in
            await a.round()
            await b.round()
            #expect(a.leadership.role == .leader(term: 1))
            #expect(
                b.leadership.role
                    == .standby(.init(term: 1, holder: "a", workerAddress: "a:7070", httpURL: "http://a:8080")))
            // Rounds go on: nothing changes.
            for _ in 0..<3 {
                await b.round()
                await a.round()
            }
            #expect(a.leadership.term == 1 && !b.leadership.isLeader)
            _ = try await a.store.create(Self.spec, actor: "test")
            await #expect(throws: StoreError.notLeader) { _ = try await b.store.create(Self.spec, actor: "test") }
        }
    }

    /// A standby started before a later release migrated the schema never takes the lead, even
    /// once the leader is gone: its rules would be broken (the start-up check cannot see a
    /// migration made while it ran).
    @Test func aStandbyWhoseMigrationsStopShortOfTheDatabasesNeverTakesTheLead() async throws {
        try await withCandidates { a, b, client in
            await a.round()
            await b.round()
            #expect(a.leadership.term == 1 && !b.leadership.isLeader)
            // A later release migrates the schema; then a's process dies (its lock goes with it).
            let later = Migrations.latestVersion + 1
            try await client.query(
                "INSERT INTO schema_migrations (version, name) VALUES (\(later), 'from a later release')")
            try await a.round.connection?.close()
            for _ in 0..<10 {
                await b.round()
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(!b.leadership.isLeader, "b stays a standby")
            // For the schema: it reached the election (a's lock was free) and refused it, giving
            // the lock back so that a coordinator that may lead does not wait for the row's expiry.
            #expect(b.round.refusedSchema == later)
            #expect(!b.round.holdsLock)
            let term = try await client.query("SELECT term FROM coordinator_leader").decode(Int64.self).first {
                _ in true
            }
            #expect(term == 1, "the row was not taken")
            // Once the schema is one b knows (here: the later migration undone), b leads at once,
            // through the lock (the row's 30 s lease has not expired).
            try await client.query("DELETE FROM schema_migrations WHERE version = \(later)")
            try await waitUntil("b leads", timeout: .seconds(5)) {
                await b.round()
                return b.leadership.isLeader
            }
            #expect(b.leadership.term == 2)
        }
    }

    @Test func concurrentFirstRoundsElectExactlyOne() async throws {
        for _ in 0..<10 {
            try await withCandidates { a, b, _ in
                async let ra: Void = a.round()
                async let rb: Void = b.round()
                _ = await (ra, rb)
                for _ in 0..<3 {
                    async let ra2: Void = a.round()
                    async let rb2: Void = b.round()
                    _ = await (ra2, rb2)
                }
                let leaders = [a, b].filter(\.leadership.isLeader)
                #expect(leaders.count == 1)
                #expect(leaders.first?.leadership.term == 1, "no takeover at start-up")
            }
        }
    }

    @Test func whenTheLeadersSessionDiesTheStandbyTakesOverAtOnceAndTheOldTermWritesNothing() async throws {
        try await withCandidates { a, b, client in
            await a.round()
            await b.round()
            #expect(a.leadership.term == 1)
            // a's process "dies": its election connection closes and PostgreSQL drops its lock,
            // long before the row's 30 s expiry. (a's memory still says it leads.)
            // PostgreSQL ends the session (and frees the lock) a moment after the client closes:
            // b's rounds take over within seconds, far inside the 30 s lease.
            try await a.round.connection?.close()
            try await waitUntil("b leads", timeout: .seconds(5)) {
                await b.round()
                return b.leadership.isLeader
            }
            #expect(b.leadership.role == .leader(term: 2), "taken over without waiting for the expiry")
            #expect(a.leadership.term == 1, "a does not know yet")
            // Every write a makes under term 1 is refused, and it learns it does not lead.
            await #expect(throws: StoreError.notLeader) { _ = try await a.store.create(Self.spec, actor: "a") }
            #expect(try await jobCount(client) == 0)
            #expect(a.leadership.role == .candidate)
            await #expect(throws: StoreError.notLeader) { try await a.store.heartbeat(worker: "w") }
            // a's next round makes it a standby of b, and b keeps the lead.
            await a.round()
            await a.round()
            await b.round()
            #expect(a.leadership.knownLeader?.holder == "b" && b.leadership.term == 2)
            let events = try await b.store.events(job: nil).filter { $0.kind == "leader_elected" }.map(\.detail)
            #expect(events == ["term 1, workers at a:7070", "term 2, workers at b:7070"])
        }
    }

    @Test func anExpiredRowIsTakenOverAndTheLateLeaderStandsDownWithoutTakingItBack() async throws {
        // A lease long enough that the rounds before the sleep fit in it on a loaded machine (a
        // 600 ms lease once expired between two rounds during a full test run, a 3 s one too).
        try await withCandidates(lease: .seconds(10)) { a, b, _ in
            await a.round()
            await b.round()
            #expect(a.leadership.term == 1)
            // a stops renewing (frozen), but its session and lock live on.
            await b.round()
            #expect(!b.leadership.isLeader, "the row has not expired")
            try await Task.sleep(for: .milliseconds(10_200))
            await b.round()
            #expect(b.leadership.term == 2, "the expired row is taken over")
            // a wakes up: its renewal finds term 2, it steps down and gives the lock up.
            await a.round()
            #expect(!a.leadership.isLeader)
            for _ in 0..<3 {
                await a.round()
                await b.round()
            }
            #expect(b.leadership.term == 2 && a.leadership.knownLeader?.holder == "b", "no flapping back")
        }
    }

    @Test func theLeadersRenewalNeverWaitsForItsOwnOpenWrites() async throws {
        try await withCandidates { a, _, _ in
            await a.round()
            let (released, release) = AsyncStream.makeStream(of: Void.self)
            let (begun, begin) = AsyncStream.makeStream(of: Void.self)
            let write = Task {
                defer { begin.finish() }  // a transaction that fails before its body ends the wait
                try await a.store.transaction { _ in
                    begin.yield()
                    for await _ in released { break }
                }
            }
            for await _ in begun { break }  // the write is open (a sleep here could pass untested)
            // The renewal completes while the write holds its lock on the leader row.
            let renewed = Mutex(false)
            let renewal = Task {
                await a.round()
                renewed.withLock { $0 = true }
            }
            try await waitUntil("the renewal completes", timeout: .seconds(5)) { renewed.withLock { $0 } }
            await renewal.value
            #expect(a.leadership.term == 1)
            release.yield()
            try await write.value
        }
    }

    @Test func aTakeoverWaitsForTheLeadersOpenWriteAndThatWriteCannotCommitAfterIt() async throws {
        try await withCandidates { a, b, client in
            await a.round()
            await b.round()
            try await a.round.connection?.close()
            // Once PostgreSQL has ended a's election session, b may take over at its next round.
            try await waitUntil("a's lock freed", timeout: .seconds(5)) {
                try await client.query(
                    """
                    SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = \(LeaderElection.lockKey)
                        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """
                ).decode(Int64.self).first { _ in true } == 0
            }
            // a's write holds the leader row in key-share mode while it is open.
            let (released, release) = AsyncStream.makeStream(of: Void.self)
            let (inserted, insert) = AsyncStream.makeStream(of: Void.self)
            let write = Task {
                defer { insert.finish() }  // a transaction that fails before its body ends the wait
                try await a.store.transaction { conn in
                    try await conn.query(
                        "INSERT INTO workers (id, host, capacity) VALUES ('w', 'h', 1)", logger: Logger(label: "test"))
                    insert.yield()
                    for await _ in released { break }
                }
            }
            for await _ in inserted { break }  // the write is open and has written
            let roundDone = Mutex(false)
            let takeover = Task {
                await b.round()
                roundDone.withLock { $0 = true }
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(!roundDone.withLock { $0 } && !b.leadership.isLeader, "the takeover waits for a's open write")
            release.yield()
            try await write.value
            await takeover.value
            #expect(b.leadership.term == 2)
            let workers = try await client.query("SELECT count(*) FROM workers").decode(Int64.self).first { _ in true }
            #expect(workers == 1, "a's write committed before the takeover")
            await #expect(throws: StoreError.notLeader) { _ = try await a.store.connect(Hello.sample, session: "s") }
        }
    }
}

extension Hello {
    static var sample: Hello {
        Hello(
            answering: Challenge(nonce: Array(repeating: 1, count: 32), coordinatorId: "c"),
            secret: "0123456789abcdef", workerId: "w2", host: "h", capacity: 1, labels: [], running: [],
            softwareVersion: "t", instance: "i")
    }
}

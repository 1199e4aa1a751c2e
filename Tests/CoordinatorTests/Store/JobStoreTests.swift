import ATSCoordinator
import ATSDatabase
import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// The store against a real PostgreSQL: fencing, idempotence, leases, migrations.
@Suite(.serialized)
struct JobStoreTests {
    /// A store on a fresh database, led by this test. Its leases outlast any test by default: a
    /// test's verdicts are judged on what it does, not on a lease that ran out while a loaded
    /// machine served its steps (with 5 s, CI saw the global kill switch test's last intent
    /// refused for its lease; a full kill switch run once took 68 s). A test that needs a lapsed
    /// lease ends it with `expireLeases`.
    func withStore(leaseTimeout: Duration = .seconds(600), _ body: @Sendable (JobStore) async throws -> Void)
        async throws
    {
        try await TestDatabase.with { db in
            try await TestDatabase.withClient(db.url) { client in
                let applied = try await Migrator(client: client, logger: Logger(label: "test")).migrate()
                #expect(applied == Migrations.all.map(\.version))
                try await Self.asLeader(db.url) { leadership in
                    try await body(
                        JobStore(
                            client: client, logger: Logger(label: "test"), leaseTimeout: leaseTimeout,
                            leadership: leadership))
                }
            }
        }
    }

    /// Runs `body` with a leadership elected on the database (every store write checks its term).
    static func asLeader(_ url: String, _ body: (Leadership) async throws -> Void) async throws {
        let leadership = Leadership(instanceId: "test-leader")
        let election = LeaderElection(
            configuration: .init(databaseURL: url, lease: .seconds(60), renewInterval: .seconds(1)),
            leadership: leadership, logger: Logger(label: "test"))
        let round = LeaderElection.Round()
        await election.runRound(round)
        #expect(leadership.term != nil, "elected")
        do {
            try await body(leadership)
        } catch {
            await election.resign(round)
            throw error
        }
        await election.resign(round)
    }

    /// Ends the jobs' leases now, as if their time had run out. A test that needs a lapsed lease
    /// says so instead of sleeping past a short one: on a loaded machine a short lease can lapse
    /// before the test's next step, and a lease the test meant to be live would be gone.
    static func expireLeases(_ store: JobStore, jobs: [Int64]) async throws {
        try await store.client.query(
            """
            UPDATE workers SET lease_expires_at = now() - interval '1 second'
            WHERE id IN (SELECT lease_owner FROM jobs WHERE id = ANY(\(jobs)))
            """)
        try await store.client.query(
            "UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = ANY(\(jobs))")
    }

    /// Each job row's version (`xmin` changes with every write to the row).
    static func jobRowVersions(_ store: JobStore) async throws -> [String] {
        try await store.client.query("SELECT id::text || ':' || xmin::text FROM jobs ORDER BY id").collect().map {
            try $0.decode(String.self)
        }
    }

    /// Jobs "j" and "k" from ``spec``.
    static func twoJobs(_ store: JobStore) async throws -> (JobRecord, JobRecord) {
        var other = spec
        other.name = "k"
        return (try await store.create(spec, actor: "test"), try await store.create(other, actor: "test"))
    }

    static let spec = JobSpec(
        name: "j", data: DataSource(path: "x.csv"),
        run: RunSpec(
            exchange: .init(symbol: .init(base: "BTC", quote: "USDT")),
            strategy: ComponentRef(namespace: "strategies:noop")))

    static func fill(_ seq: Int64) -> Fill {
        Fill(
            seq: seq, orderId: seq, time: 1000 * seq, barIndex: Int(seq), side: .buy, price: 100, quantity: 1,
            feeBase: 0, feeQuote: 0.1, liquidity: .taker, tag: "t")
    }

    func header(_ job: Int64, _ epoch: Int64) -> JobHeader { JobHeader(jobId: job, epoch: epoch, messageSeq: 1) }

    @Test func migrationsApplyOnce() async throws {
        try await withStore { store in
            let again = try await Migrator(client: store.client, logger: Logger(label: "test")).migrate()
            #expect(again.isEmpty)
        }
    }

    @Test func aBinaryRefusesASchemaNewerThanItKnows() async throws {
        try await withStore { store in
            let newest = try #require(Migrations.all.map(\.version).max())
            try await store.client.query(
                "INSERT INTO schema_migrations (version, name) VALUES (\(newest + 1), 'from a newer ATS')")
            let error = await #expect(throws: SchemaTooNew.self) {
                _ = try await Migrator(client: store.client, logger: Logger(label: "test")).migrate()
            }
            #expect(error?.database == newest + 1 && error?.binary == newest)
        }
    }

    @Test func everyAssignmentBumpsTheEpochAndStaleWritesAreFenced() async throws {
        try await withStore { store in
            let job = try await store.create(Self.spec, actor: "test")
            #expect(job.status == .pending && job.epoch == 0)
            let first = try #require(try await store.assign(job: job.id, to: "w1"))
            #expect(first.epoch == 1)
            #expect(try await store.assign(job: job.id, to: "w2") == nil, "not pending any more")

            #expect(
                try await store.insertFills(FillBatch(header: header(job.id, 1), fills: [Self.fill(0), Self.fill(1)]))
                    .inserted
                    == 2)
            #expect(
                try await store.insertFills(FillBatch(header: header(job.id, 1), fills: [Self.fill(0), Self.fill(1)]))
                    .inserted
                    == 0, "a resend is idempotent")
            #expect(
                try await store.saveCheckpoint(
                    CheckpointSaved(header: header(job.id, 1), cursor: 10, nextFillSeq: 2, state: [1])))

            // w1's connection drops: it keeps its lease until the lease expires (it may still run
            // the job behind a partition, and stops it by itself before then).
            try await store.workerDisconnected("w1", session: "")
            #expect(try await store.job("j").status == .assigned)
            #expect(try await store.reapExpiredLeases().isEmpty, "the lease has not expired")
            // w1 gives the job back (it fenced itself, or drained): pending, and w2 gets it under
            // epoch 2.
            #expect(
                try await store.finished(
                    JobFinished(header: header(job.id, 1), outcome: .released, statistics: []), worker: "w1"))
            #expect(try await store.job("j").status == .pending)
            #expect(try await store.events(job: "j").last?.kind == "released")
            let second = try #require(try await store.assign(job: job.id, to: "w2"))
            #expect(second.epoch == 2 && second.checkpoint == [1])

            // w1's late messages carry epoch 1.
            #expect(
                try await !store.saveCheckpoint(
                    CheckpointSaved(header: header(job.id, 1), cursor: 20, nextFillSeq: 3, state: [2])))
            #expect(
                try await store.insertFills(FillBatch(header: header(job.id, 1), fills: [Self.fill(2)])).inserted == 0,
                "a superseded run's fills are not kept: the current run makes them again")
            #expect(try await store.events(job: "j").contains { $0.kind == "stale_fills" })
            try await store.progress(JobProgress(header: header(job.id, 1), barsDone: 999, barsTotal: 1000, equity: 1))
            #expect(try await store.job("j").barsDone == 0)
            #expect(
                try await !store.finished(
                    JobFinished(header: header(job.id, 1), outcome: .completed, statistics: []), worker: "w1"))
            #expect(
                try await !store.finished(
                    JobFinished(header: header(job.id, 1), outcome: .released, statistics: []), worker: "w1"),
                "a stale release changes nothing")
            #expect(try await store.job("j").status == .assigned)

            try await store.started(JobStarted(header: header(job.id, 2), barsTotal: 1000))
            #expect(try await store.job("j").status == .running)
            #expect(
                try await store.finished(
                    JobFinished(header: header(job.id, 2), outcome: .completed, statistics: []), worker: "w2"))
            let done = try await store.job("j")
            #expect(done.status == .completed && done.leaseOwner == nil)
            // Fills 0 and 1 of epoch 1 stay; epoch 1's late fill 2 was not kept (epoch 2 makes it).
            #expect(try await store.fills(job: "j").map(\.seq) == [0, 1])
            #expect(try await store.fills(job: "j").map(\.epoch) == [1, 1])
        }
    }

    @Test func leasesExpireWithoutHeartbeatsAndRenewWithThem() async throws {
        try await withStore(leaseTimeout: .seconds(30)) { store in
            let (a, b) = try await Self.twoJobs(store)
            _ = try await store.connect(hello("quiet"), session: "q")
            _ = try await store.connect(hello("alive"), session: "a")
            _ = try await store.assign(job: a.id, to: "quiet")
            _ = try await store.assign(job: b.id, to: "alive")
            try await store.heartbeat(worker: "quiet")
            #expect(try await store.reapExpiredLeases().isEmpty, "both leases are live")
            // Both leases lapse; then the live worker's heartbeat renews its own, and only its
            // row is written (the job rows are not: their lease runs with their worker's).
            try await Self.expireLeases(store, jobs: [a.id, b.id])
            let before = try await Self.jobRowVersions(store)
            try await store.heartbeat(worker: "alive")
            #expect(try await Self.jobRowVersions(store) == before, "a heartbeat writes no job row")
            #expect(
                try await store.reapExpiredLeases(sparing: ["quiet"]).isEmpty, "a connected worker keeps its leases")
            #expect(try await store.reapExpiredLeases() == [a.id])
            #expect(try await store.job("j").status == .pending)
            #expect(try await store.job("k").status == .assigned)
        }
    }

    @Test func progressWritesItsOwnRowNeverTheJobs() async throws {
        try await withStore { store in
            let (a, b) = try await Self.twoJobs(store)
            #expect(a.barsDone == 0 && a.barsTotal == 0 && a.equity == nil)
            _ = try await store.assign(job: a.id, to: "w1")
            _ = try await store.assign(job: b.id, to: "w1")
            try await store.started(JobStarted(header: header(a.id, 1), barsTotal: 100))
            try await store.started(JobStarted(header: header(b.id, 1), barsTotal: 50))
            // Many reports, a stale epoch's among them: the job rows stay as they were.
            let before = try await Self.jobRowVersions(store)
            try await store.progress(JobProgress(header: header(a.id, 1), barsDone: 40, barsTotal: 100, equity: 1_200))
            try await store.progress(JobProgress(header: header(b.id, 1), barsDone: 10, barsTotal: 50, equity: 900))
            try await store.progress(JobProgress(header: header(b.id, 0), barsDone: 49, barsTotal: 50, equity: 5_000))
            #expect(try await Self.jobRowVersions(store) == before, "progress writes no job row")
            let readA = try await store.job("j")
            #expect(readA.barsDone == 40 && readA.barsTotal == 100 && readA.equity == 1_200)
            #expect(readA.updatedAt > a.updatedAt, "a job's updated_at includes its progress")
            #expect(try await store.job("k").equity == 900, "a superseded run's report is dropped")
            // A job row without its progress row (written by an older coordinator, or by hand) gets
            // one with its next report.
            try await store.client.query("DELETE FROM job_progress WHERE job_id = \(b.id)")
            try await store.progress(JobProgress(header: header(b.id, 1), barsDone: 15, barsTotal: 50, equity: 950))
            #expect(try await store.job("k").equity == 950)
            let byEquity = try await store.jobs(JobQuery(sort: .equity, descending: true))
            #expect(byEquity.jobs.map(\.name) == ["j", "k"] && byEquity.total == 2)
            let byProgress = try await store.jobs(JobQuery(sort: .progress))
            #expect(byProgress.jobs.map(\.name) == ["k", "j"])
            // A completed run shows all its bars; a deleted job leaves no progress behind.
            #expect(
                try await store.finished(
                    JobFinished(header: header(a.id, 1), outcome: .completed, statistics: []), worker: "w1"))
            #expect(try await store.job("j").barsDone == 100)
            _ = try await store.request(.deleteRequested, job: "j", actor: "test", registry: .standard)
            let left = try await store.client.query("SELECT job_id FROM job_progress ORDER BY job_id").collect()
            #expect(try left.map { try $0.decode(Int64.self) } == [b.id])
        }
    }

    @Test func onlyTheCoordinatorPinsADataSetHash() async throws {
        try await withStore { store in
            var spec = Self.spec
            spec.data.hash = "xxh3:0123456789abcdef"
            let job = try await store.create(spec, actor: "test")
            #expect(job.spec?.data.hash == nil, "a hash a spec brings along is dropped")
            var onSet = Self.spec
            onSet.name = "on-set"
            onSet.data = DataSource(set: "missing")
            let error = await #expect(throws: StoreError.self) { _ = try await store.create(onSet, actor: "test") }
            #expect("\(error.map { "\($0)" } ?? "")".contains("no data set named \"missing\""))
        }
    }

    @Test func aJobOnADataSetGoesOnlyToAWorkerThatReadsThem() async throws {
        try await withStore { store in
            try await store.client.query(
                """
                INSERT INTO datasets (hash, name, rows, first_ms, last_ms, interval_ms, bytes, source, format, created_by)
                VALUES ('xxh3:0011223344556677', 'set-a', 1, 0, 0, 0, 64, 'a.csv', 'csv', 'test')
                """)
            var onSet = Self.spec
            onSet.name = "on-set"
            onSet.data = DataSource(set: "set-a")
            let job = try await store.create(onSet, actor: "test")
            #expect(job.spec?.data.hash == "xxh3:0011223344556677" && job.spec?.data.set == "set-a")
            _ = try await store.create(Self.spec, actor: "test")
            let pending = try await store.pendingJobs()
            let needs = WorkerCapability.label(WorkerCapability.datasets)
            #expect(pending.map(\.labels) == [[needs], []])
            // A worker from before data sets announces no capability: it gets only the file job.
            let older = Scheduler.assign(pending: pending, workers: [.init(id: "old", free: 2, labels: [])])
            #expect(older.map(\.jobId) == [pending[1].id])
            let both = Scheduler.assign(
                pending: pending, workers: [.init(id: "new", free: 2, labels: [needs])])
            #expect(Set(both.map(\.jobId)) == Set(pending.map(\.id)))
        }
    }

    /// `liquidate_share` is a parameter earlier workers refuse as unknown: a job that sets it goes
    /// only to workers that announce liquidation; one that does not (its normalised definition has
    /// no such key) goes anywhere.
    @Test func aJobThatLiquidatesGoesOnlyToAWorkerThatKnowsHow() async throws {
        try await withStore { store in
            var liquidating = Self.spec
            liquidating.name = "liquidating"
            liquidating.run.strategy = ComponentRef(
                namespace: "strategies:simple_ma", config: ["liquidate_share": .double(0.8)])
            var plain = liquidating
            plain.name = "plain"
            plain.run.strategy.config = [:]
            plain.run = try Registry.standard.normalized(plain.run)
            #expect(plain.run.strategy.config["liquidate_share"] == nil && plain.run.strategy.config["fast"] != nil)
            liquidating.run = try Registry.standard.normalized(liquidating.run)
            _ = try await store.create(liquidating, actor: "test")
            _ = try await store.create(plain, actor: "test")
            let pending = try await store.pendingJobs()
            let needs = WorkerCapability.label(WorkerCapability.liquidation)
            #expect(pending.map(\.labels) == [[needs], []])
            let older = Scheduler.assign(pending: pending, workers: [.init(id: "old", free: 2, labels: [])])
            #expect(older.map(\.jobId) == [pending[1].id])
            #expect(WorkerCapability.all.contains(WorkerCapability.liquidation))
        }
    }

    /// A job's messages are written only from the worker holding its lease: another authenticated
    /// worker that knows the job's id and epoch can neither end its run nor add fills, progress
    /// or checkpoints to it.
    @Test func anotherWorkersMessagesForAJobChangeNothing() async throws {
        try await withStore { store in
            let job = try await store.create(Self.spec, actor: "test")
            _ = try await store.assign(job: job.id, to: "w1")
            let h = header(job.id, 1)
            let forged: [WireMessage] = [
                .fills(FillBatch(header: h, fills: [Self.fill(0)])),
                .progress(JobProgress(header: h, barsDone: 5, barsTotal: 10, equity: 7)),
                .checkpoint(CheckpointSaved(header: h, cursor: 5, nextFillSeq: 1, state: [1])),
                .finished(JobFinished(header: h, outcome: .completed, statistics: Array("{}".utf8))),
                .failed(JobFailed(header: h, error: "forged")),
            ]
            _ = try await store.persist(forged, worker: "w2")
            // Fills for a job that does not exist change nothing either (and fail no batch).
            _ = try await store.persist(
                [.fills(FillBatch(header: header(999_999, 1), fills: [Self.fill(0)]))], worker: "w2")
            var after = try await store.job("\(job.id)")
            #expect(after.status == .assigned && after.leaseOwner == "w1" && after.lastError == nil)
            #expect(try await store.fills(job: "\(job.id)", after: -1, limit: 10).isEmpty)
            #expect(try await store.checkpoints(job: "\(job.id)").isEmpty)
            #expect(after.barsDone == 0)
            // The holder's own are written.
            _ = try await store.persist(Array(forged.prefix(3)), worker: "w1")
            after = try await store.job("\(job.id)")
            #expect(try await store.fills(job: "\(job.id)", after: -1, limit: 10).count == 1)
            #expect(try await store.checkpoints(job: "\(job.id)").count == 1 && after.barsDone == 5)
        }
    }

    @Test func onlyTheNewestCheckpointsOfAJobAreKept() async throws {
        try await withStore { base in
            var store = base
            store.checkpointsKept = 3
            let job = try await store.create(Self.spec, actor: "test")
            _ = try await store.assign(job: job.id, to: "w1")
            // Five checkpoints, two of them in one batch; another job's are not touched.
            for cursor in [10, 20, 30] as [Int64] {
                _ = try await store.persist(
                    [
                        .checkpoint(
                            CheckpointSaved(header: header(job.id, 1), cursor: cursor, nextFillSeq: 0, state: [1]))
                    ],
                    worker: "w1")
            }
            _ = try await store.persist(
                [40, 50].map {
                    .checkpoint(CheckpointSaved(header: header(job.id, 1), cursor: $0, nextFillSeq: 0, state: [2]))
                },
                worker: "w1")
            #expect(try await store.checkpoints(job: "j").map(\.cursor).sorted() == [30, 40, 50])
            // The job resumes from the newest.
            try await Self.expireLeases(store, jobs: [job.id])
            _ = try await store.reapExpiredLeases()
            let again = try #require(try await store.assign(job: job.id, to: "w2"))
            #expect(again.checkpoint == [2])
        }
    }

    @Test func aReconnectingWorkerLosesOnlyTheJobsItNoLongerRuns() async throws {
        try await withStore { store in
            let (a, b) = try await Self.twoJobs(store)
            _ = try await store.assign(job: a.id, to: "w")
            _ = try await store.assign(job: b.id, to: "w")
            #expect(try await store.releaseLeases(of: "w", jobs: [b.id]) == [b.id])
            #expect(try await store.releaseLeases(of: "someone-else", jobs: [a.id]).isEmpty)
            let kept = try await store.job("j")
            #expect(kept.status == .assigned && kept.leaseOwner == "w")
            #expect(try await store.job("k").status == .pending)
        }
    }

    @Test func operatorRequestsFollowTheStateMachine() async throws {
        try await withStore { store in
            _ = try await store.create(Self.spec, actor: "alice")
            let stopped = try await store.request(.stopRequested, job: "j", actor: "alice", registry: .standard)
            #expect(stopped.status == .stopped && stopped.desiredState == .stopped)
            await #expect(throws: StoreError.conflict("the job is already stopped")) {
                try await store.request(.stopRequested, job: "j", actor: "alice", registry: .standard)
            }
            let started = try await store.request(.startRequested, job: "j", actor: "bob", registry: .standard)
            #expect(started.status == .pending)
            let reloaded = try await store.request(
                .reloadRequested, job: "j", actor: "bob", newStrategyConfig: [:], registry: .standard)
            #expect(reloaded.spec?.run.strategy.config.isEmpty == true && reloaded.specRevision == 2)
            await #expect(throws: StoreError.self) {
                try await store.request(
                    .reloadRequested, job: "j", actor: "bob", newStrategyConfig: ["x": .int(1)], registry: .standard)
            }
            let id = started.id
            _ = try await store.assign(job: id, to: "w")
            await #expect(throws: StoreError.conflict("the job is assigned; stop it first")) {
                try await store.request(.deleteRequested, job: "j", actor: "bob", registry: .standard)
            }
            await #expect(throws: StoreError.conflict("a job named \"j\" already exists")) {
                try await store.create(Self.spec, actor: "bob")
            }
            let actors = try await store.events(job: "j").map { "\($0.actor) \($0.kind)" }
            #expect(
                actors.starts(with: ["alice created", "alice stop_requested", "bob start_requested", "bob reloaded"]))
        }
    }

    /// A reload is a durable revision: it waits for the job's worker (reloadRequests) until the
    /// worker reports the bar where it took effect, and an assignment carries it in its plan.
    @Test func aReloadIsADurableRevisionUntilItTakesEffect() async throws {
        try await withStore { store in
            var spec = Self.spec
            spec.run.strategy = ComponentRef(
                namespace: "strategies:sma_cross", config: ["fast": .int(10), "slow": .int(30)])
            let job = try await store.create(spec, actor: "alice")
            #expect(job.specRevision == 1)
            let first = try #require(try await store.assign(job: job.id, to: "w1"))
            #expect(first.schedule.map(\.revision) == [1] && first.schedule.first?.atBar == 0)
            #expect(try await store.reloadRequests().isEmpty, "the assignment carries revision 1: no ReloadJob for it")
            try await store.reloadApplied(
                ReloadApplied(header: header(job.id, first.epoch), revision: 1, bar: 0))
            #expect(try await store.reloadRequests().isEmpty)

            let reloaded = try await store.request(
                .reloadRequested, job: "j", actor: "bob", newStrategyConfig: ["fast": .int(50), "slow": .int(200)],
                registry: .standard)
            #expect(reloaded.specRevision == 2 && reloaded.spec?.run.strategy.config["fast"] == .int(50))
            let due = try await store.reloadRequests()
            #expect(due.map(\.reload.revision) == [2] && due.map(\.worker) == ["w1"])
            #expect(due.first?.reload.epoch == first.epoch)

            // A stale epoch's report changes nothing; the current one's is recorded once, with its bar.
            #expect(
                try await !store.reloadApplied(
                    ReloadApplied(header: header(job.id, first.epoch - 1), revision: 2, bar: 10)))
            #expect(
                try await store.reloadApplied(
                    ReloadApplied(header: header(job.id, first.epoch), revision: 2, bar: 1_300)))
            #expect(
                try await !store.reloadApplied(
                    ReloadApplied(header: header(job.id, first.epoch), revision: 2, bar: 1_400)))
            #expect(try await store.reloadRequests().isEmpty)
            let events = try await store.events(job: "j")
            #expect(events.contains { $0.kind == "reloaded" && $0.actor == "bob" && $0.detail.hasPrefix("revision 2") })
            #expect(
                events.contains {
                    $0.kind == "reload_applied" && $0.detail.hasPrefix("revision 2 took effect at bar 1300")
                })

            // The worker dies; its checkpoint at 1,000 predates the reload. The next assignment
            // replays revision 1 from the checkpoint and switches at bar 1,300, as before.
            #expect(
                try await store.saveCheckpoint(
                    CheckpointSaved(
                        header: header(job.id, first.epoch), cursor: 1_000, nextFillSeq: 2, state: [9], specRevision: 1,
                        engineVersion: "ats-engine 0.2.0", dataHash: "xxh3:00")))
            try await store.insertFills(
                FillBatch(header: header(job.id, first.epoch), fills: [Self.fill(2)], specRevision: 2))
            #expect(
                try await store.finished(
                    JobFinished(header: header(job.id, first.epoch), outcome: .released, statistics: []), worker: "w1"))
            let second = try #require(try await store.assign(job: job.id, to: "w2"))
            #expect(second.checkpoint == [9] && second.checkpointRevision == 1 && second.specRevision == 2)
            #expect(second.checkpointEngine == "ats-engine 0.2.0" && second.checkpointDataHash == "xxh3:00")
            #expect(second.schedule.map { "\($0.revision)@\($0.atBar)" } == ["2@1300"])
            #expect(second.replayUntilBar == 1_300)
        }
    }

    /// A fill that arrives again with other values fails the job, with an event; never a pass.
    @Test func aFillThatDivergesFromTheStoredOneFailsTheJob() async throws {
        try await withStore { store in
            let job = try await store.create(Self.spec, actor: "test")
            let a = try #require(try await store.assign(job: job.id, to: "w1"))
            try await store.insertFills(
                FillBatch(header: header(job.id, a.epoch), fills: [Self.fill(0), Self.fill(1)]))
            var other = Self.fill(1)
            other.price = 100.5
            let stored = try await store.insertFills(
                FillBatch(header: header(job.id, a.epoch), fills: [Self.fill(0), other, Self.fill(2)]))
            #expect(stored.inserted == 1 && stored.diverged == [1])
            #expect(
                stored.detail.contains("seq 1: stored BUY 1 @ 100 ") && stored.detail.contains("received BUY 1 @ 100.5")
            )
            let failed = try await store.job("j")
            #expect(failed.status == .failed && failed.desiredState == .stopped && failed.leaseOwner == nil)
            #expect(failed.lastError?.contains("arrived again") == true)
            #expect(try await store.events(job: "j").contains { $0.kind == "fill_diverged" })
            #expect(try await store.fills(job: "j").map(\.price) == [100, 100, 100], "the stored facts stay")
            // The same values again are an idempotent resend, not a divergence; another revision is.
            #expect(
                try await store.insertFills(FillBatch(header: header(job.id, a.epoch), fills: [Self.fill(2)])).diverged
                    .isEmpty)
            #expect(
                try await store.insertFills(
                    FillBatch(header: header(job.id, a.epoch), fills: [Self.fill(2)], specRevision: 2)
                ).diverged == [2])
        }
    }

    /// A row whose stored definition cannot be read still lists, with why.
    @Test func aJobRowWithAnUnreadableSpecStillLists() async throws {
        try await withStore { store in
            _ = try await store.create(Self.spec, actor: "test")
            var other = Self.spec
            other.name = "k"
            let broken = try await store.create(other, actor: "test")
            try await store.client.query("UPDATE jobs SET spec = '{\"bogus\": 1}' WHERE id = \(broken.id)")
            let all = try await store.jobs()
            #expect(all.map(\.name) == ["j", "k"])
            let k = try #require(all.last)
            #expect(k.spec == nil && k.specError?.contains("cannot be read") == true)
            #expect(try await store.job("k").specError != nil)
            await #expect(throws: StoreError.self) {
                try await store.request(
                    .reloadRequested, job: "k", actor: "bob", newStrategyConfig: [:], registry: .standard)
            }
        }
    }

    @Test func aNewJobNameCannotReadAsAnId() async throws {
        try await withStore { store in
            var numeric = Self.spec
            numeric.name = "42"
            await #expect(throws: StoreError.self) { try await store.create(numeric, actor: "test") }
        }
    }

    func hello(_ worker: String, running: [JobLease] = [], capacity: UInt32 = 4) -> Hello {
        Hello(workerId: worker, host: "h", capacity: capacity, labels: [], running: running, instance: "i-\(worker)")
    }

    /// Defect 5: a hello is atomic with scheduling. An assignment is bound to the connection it was
    /// decided for: committed before a newer hello's reconciliation, which then releases it (the
    /// worker never got it), or refused after it; never left assigned to a worker that does not
    /// run it.
    @Test func anAssignmentIsSeenByTheNextHelloOrRefused() async throws {
        try await withStore { store in
            let job = try await store.create(Self.spec, actor: "test")
            _ = try await store.connect(hello("w"), session: "s1")
            // Decided for connection s1 and committed; then w reconnects (s2) without the job.
            let a = try #require(try await store.assign(job: job.id, to: "w", session: "s1", capacity: 4))
            let second = try await store.connect(hello("w"), session: "s2")
            #expect(second.released == [job.id] && second.stops.isEmpty)
            // A registration older than the stored one (its transaction committed late) is
            // refused: the row stays with the newer connection.
            await #expect(throws: StoreError.self) {
                _ = try await store.connect(hello("w"), session: "s-late", order: -1)
            }
            #expect(try await store.job("j").status == .pending)
            // Decided for s1 but arriving after s2's hello: refused.
            #expect(try await store.assign(job: job.id, to: "w", session: "s1", capacity: 4) == nil)
            #expect(try await store.job("j").status == .pending)
            // Taken back when it could not be sent.
            let b = try #require(try await store.assign(job: job.id, to: "w", session: "s2", capacity: 4))
            #expect(b.epoch == a.epoch + 1)
            #expect(try await store.unassign(job: job.id, epoch: b.epoch, worker: "w"))
            #expect(try await store.job("j").status == .pending)
            #expect(try await !store.unassign(job: job.id, epoch: b.epoch, worker: "w"), "once")
            // An older session's late disconnection leaves the newer one connected; a disconnected
            // worker's connection takes no assignment.
            try await store.workerDisconnected("w", session: "s1")
            let c = try #require(try await store.assign(job: job.id, to: "w", session: "s2", capacity: 4))
            #expect(try await store.unassign(job: job.id, epoch: c.epoch, worker: "w"))
            try await store.workerDisconnected("w", session: "s2")
            #expect(try await store.assign(job: job.id, to: "w", session: "s2", capacity: 4) == nil)
        }
    }

    @Test func anAssignmentNeedsAFreeSlotWhateverThePassThought() async throws {
        try await withStore { store in
            let (a, b) = try await Self.twoJobs(store)
            _ = try await store.connect(hello("w", capacity: 1), session: "s1")
            #expect(try await store.assign(job: a.id, to: "w", session: "s1", capacity: 1) != nil)
            #expect(try await store.assign(job: b.id, to: "w", session: "s1", capacity: 1) == nil, "over capacity")
            #expect(try await store.job("k").status == .pending)
        }
    }

    /// Defect 5, second half: a lease that expired before the hello is not renewed by it (the
    /// reaper may hand the job on at any moment): the job goes back and the worker is told to
    /// stop it. A live one it runs is renewed in the same transaction.
    @Test func aHelloRenewsOnlyLiveLeasesOfJobsTheWorkerRuns() async throws {
        try await withStore(leaseTimeout: .seconds(30)) { store in
            let (a, b) = try await Self.twoJobs(store)
            _ = try await store.connect(hello("w"), session: "s1")
            let ja = try #require(try await store.assign(job: a.id, to: "w", session: "s1", capacity: 4))
            let jb = try #require(try await store.assign(job: b.id, to: "w", session: "s1", capacity: 4))
            try await store.client.query(
                "UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = \(b.id)")
            let leases = [JobLease(jobId: a.id, epoch: ja.epoch), JobLease(jobId: b.id, epoch: jb.epoch)]
            let c = try await store.connect(hello("w", running: leases), session: "s2")
            #expect(c.released == [b.id] && c.stops == [JobLease(jobId: b.id, epoch: jb.epoch)])
            #expect(try await store.job("j").status == .assigned)
            #expect(try await store.job("k").status == .pending)
            #expect(try await store.reapExpiredLeases().isEmpty, "the live lease was renewed with the hello")
            // A job it runs under an epoch it no longer owns is stopped too.
            let stale = try await store.connect(
                hello("w", running: [JobLease(jobId: a.id, epoch: ja.epoch), JobLease(jobId: 99, epoch: 1)]),
                session: "s3")
            #expect(stale.stops == [JobLease(jobId: 99, epoch: 1)] && stale.released.isEmpty)
        }
    }
}

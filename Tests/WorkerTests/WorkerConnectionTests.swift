import ATSShared
import ATSWorker
import Testing

/// The worker's connection, frame by frame: the handshake, what an assignment, a stop or a reload
/// does, heartbeats and silence, and the drain.
struct WorkerConnectionTests {
    static let secret = "s"

    static func connected(capacity: Int = 2, capabilities: [String] = WorkerCapability.all) -> WorkerConnection {
        var identity = WorkerConnection.Identity(
            workerId: "w", secret: secret, host: "h", capacity: capacity, labels: [], softwareVersion: "t",
            instance: "i")
        identity.capabilities = capabilities
        var c = WorkerConnection(identity: identity)
        c.dialed(workerNonce: [UInt8](repeating: 7, count: HandshakeProof.nonceSize))
        let challenge = Challenge(nonce: [UInt8](repeating: 1, count: HandshakeProof.nonceSize), coordinatorId: "c")
        guard case .send(.hello(let hello)) = c.received(.challenge(challenge), nowMs: 100).first else {
            Issue.record("no hello")
            return c
        }
        let proof = HandshakeProof.coordinator(
            secret: secret, version: WireProtocol.version, workerId: "w", coordinatorNonce: challenge.nonce,
            workerNonce: hello.workerNonce)
        let actions = c.received(
            .welcome(Welcome(coordinatorId: "c", heartbeatIntervalMs: 200, leaseTimeoutMs: 1_000, proof: proof)),
            nowMs: 120)
        guard case .confirmLease(let sent, 1_000, 200) = actions.first, sent == 100 else {
            Issue.record("the welcome confirms the lease from the hello's send time: \(actions)")
            return c
        }
        return c
    }

    static func assign(_ job: Int64, epoch: Int64, chunk: Bool = false) -> WireMessage {
        var a = AssignJob(jobId: job, epoch: epoch, name: "j", spec: [], checkpoint: [])
        a.sweepChunk = chunk
        return .assign(a)
    }

    static func kinds(_ actions: [WorkerConnection.Action]) -> [String] {
        actions.map {
            switch $0 {
            case .send(let m): "send \(m.name)"
            case .close: "close"
            case .refused: "refused"
            case .welcomed: "welcomed"
            case .confirmLease: "confirm"
            case .start(let a): "start \(a.jobId)/\(a.epoch)"
            case .signal(let l, let s): "\(s) \(l.jobId)/\(l.epoch)"
            case .reload(let l, let r, _): "reload \(l.jobId)/\(l.epoch) r\(r)"
            case .ack(let s): "ack \(s)"
            case .handBack(let a): "hand back \(a.jobId)"
            case .verdict(let v): "verdict \(v.jobId)/\(v.epoch) \(v.accepted)"
            case .ignored: "ignored"
            }
        }
    }

    /// The coordinator's capabilities reach the service (which tells the outbox the form of
    /// checkpoint state to send); an earlier release's Welcome announces none.
    @Test(arguments: [[], CoordinatorCapability.all])
    func theWelcomesCapabilitiesAreHandedOn(_ capabilities: [String]) {
        var c = WorkerConnection(
            identity: .init(
                workerId: "w", secret: "s", host: "h", capacity: 1, labels: [], softwareVersion: "t", instance: "i"))
        c.dialed(workerNonce: [UInt8](repeating: 7, count: HandshakeProof.nonceSize))
        let challenge = Challenge(nonce: [UInt8](repeating: 1, count: HandshakeProof.nonceSize), coordinatorId: "c")
        guard case .send(.hello(let hello)) = c.received(.challenge(challenge), nowMs: 0).first else {
            Issue.record("no hello")
            return
        }
        let proof = HandshakeProof.coordinator(
            secret: "s", version: WireProtocol.version, workerId: "w", coordinatorNonce: challenge.nonce,
            workerNonce: hello.workerNonce)
        #expect(hello.capabilities.contains(WorkerCapability.compressedCheckpoints))
        let actions = c.received(
            .welcome(
                Welcome(
                    coordinatorId: "c", heartbeatIntervalMs: 200, leaseTimeoutMs: 1_000, proof: proof,
                    capabilities: capabilities)), nowMs: 1)
        let handed = actions.compactMap { if case .welcomed("c", let caps) = $0 { caps } else { nil } }
        #expect(handed == [capabilities])
    }

    @Test func aWelcomeWithoutTheSecretsProofTakesNoJob() {
        var c = WorkerConnection(
            identity: .init(
                workerId: "w", secret: "s", host: "h", capacity: 1, labels: [], softwareVersion: "t", instance: "i"))
        c.dialed(workerNonce: [UInt8](repeating: 7, count: HandshakeProof.nonceSize))
        _ = c.received(.challenge(Challenge(nonce: [UInt8](repeating: 1, count: 32), coordinatorId: "c")), nowMs: 0)
        let actions = c.received(
            .welcome(Welcome(coordinatorId: "c", heartbeatIntervalMs: 200, leaseTimeoutMs: 1_000, proof: [1, 2])),
            nowMs: 1)
        #expect(Self.kinds(actions) == ["close"])
        #expect(!c.isConnected)
    }

    @Test func assignmentsWithinCapacityOnceEachAndANewerEpochReleasesTheOlder() {
        var c = Self.connected(capacity: 2)
        #expect(Self.kinds(c.received(Self.assign(1, epoch: 1), nowMs: 200)) == ["start 1/1"])
        #expect(Self.kinds(c.received(Self.assign(1, epoch: 1), nowMs: 201)) == [], "a duplicate")
        #expect(Self.kinds(c.received(Self.assign(2, epoch: 1), nowMs: 202)) == ["start 2/1"])
        #expect(Self.kinds(c.received(Self.assign(3, epoch: 1), nowMs: 203)) == ["hand back 3"], "over capacity")
        #expect(Self.kinds(c.received(Self.assign(1, epoch: 2), nowMs: 204)) == ["release 1/1", "start 1/2"])
        c.jobEnded(JobLease(jobId: 1, epoch: 1))
        #expect(
            c.leases == [JobLease(jobId: 1, epoch: 2), JobLease(jobId: 2, epoch: 1)], "the old run's end frees nothing")
    }

    /// A sweep's chunks: one more waits behind each slot no other job holds; an ordinary job
    /// still needs a free slot; a chunk that ended frees its place.
    @Test func aSweepsChunkMayWaitBehindARunningChunk() {
        var c = Self.connected(capacity: 1)
        #expect(Self.kinds(c.received(Self.assign(1, epoch: 1, chunk: true), nowMs: 130)) == ["start 1/1"])
        #expect(Self.kinds(c.received(Self.assign(2, epoch: 1, chunk: true), nowMs: 131)) == ["start 2/1"])
        #expect(Self.kinds(c.received(Self.assign(3, epoch: 1, chunk: true), nowMs: 132)) == ["hand back 3"])
        #expect(Self.kinds(c.received(Self.assign(4, epoch: 1), nowMs: 133)) == ["hand back 4"])
        #expect(c.chunks == [1, 2])
        c.jobEnded(JobLease(jobId: 1, epoch: 1))
        #expect(c.chunks == [2])
        #expect(Self.kinds(c.received(Self.assign(4, epoch: 1), nowMs: 134)) == ["hand back 4"], "chunk 2 runs now")
        #expect(Self.kinds(c.received(Self.assign(3, epoch: 1, chunk: true), nowMs: 135)) == ["start 3/1"])
        // A newer assignment of a job says again whether it is a chunk.
        _ = c.received(Self.assign(3, epoch: 2), nowMs: 136)
        #expect(c.chunks == [2])

        // A slot an ordinary job holds takes no chunk ahead.
        var d = Self.connected(capacity: 2)
        #expect(Self.kinds(d.received(Self.assign(1, epoch: 1), nowMs: 130)) == ["start 1/1"])
        #expect(Self.kinds(d.received(Self.assign(2, epoch: 1, chunk: true), nowMs: 131)) == ["start 2/1"])
        #expect(Self.kinds(d.received(Self.assign(3, epoch: 1, chunk: true), nowMs: 132)) == ["start 3/1"])
        #expect(Self.kinds(d.received(Self.assign(4, epoch: 1, chunk: true), nowMs: 133)) == ["hand back 4"])

        // A worker that does not announce the capability holds none ahead.
        var e = Self.connected(capacity: 1, capabilities: [WorkerCapability.sweeps])
        #expect(Self.kinds(e.received(Self.assign(1, epoch: 1, chunk: true), nowMs: 130)) == ["start 1/1"])
        #expect(Self.kinds(e.received(Self.assign(2, epoch: 1, chunk: true), nowMs: 131)) == ["hand back 2"])
    }

    @Test func stopsAndReloadsOnlyForTheAssignmentTheyName() {
        var c = Self.connected()
        _ = c.received(Self.assign(1, epoch: 3), nowMs: 200)
        #expect(Self.kinds(c.received(.stop(StopJob(jobId: 1, epoch: 2, reason: "")), nowMs: 201)) == ["ignored"])
        #expect(
            Self.kinds(c.received(.reload(ReloadJob(jobId: 1, epoch: 2, strategyConfig: [], revision: 2)), nowMs: 202))
                == ["ignored"])
        #expect(
            Self.kinds(c.received(.reload(ReloadJob(jobId: 1, epoch: 3, strategyConfig: [], revision: 2)), nowMs: 203))
                == ["reload 1/3 r2"])
        #expect(Self.kinds(c.received(.stop(StopJob(jobId: 1, epoch: 3, reason: "")), nowMs: 204)) == ["stop 1/3"])
    }

    @Test func heartbeatsUntilTheCoordinatorFallsSilent() {
        var c = Self.connected()
        #expect(Self.kinds(c.tick(nowMs: 300)) == ["send Heartbeat"])
        #expect(Self.kinds(c.received(.heartbeat(Heartbeat(sentAtMs: 300, runningJobs: 0)), nowMs: 310)) == ["confirm"])
        #expect(Self.kinds(c.tick(nowMs: 1_310)) == ["send Heartbeat"])
        #expect(Self.kinds(c.tick(nowMs: 1_311)) == ["close"], "silent for more than the lease timeout")
    }

    @Test func aDrainSaysSoFirstReleasesEveryJobAndHandsBackNewOnes() {
        var c = Self.connected()
        _ = c.received(Self.assign(1, epoch: 1), nowMs: 200)
        _ = c.received(Self.assign(2, epoch: 1), nowMs: 200)
        #expect(Self.kinds(c.drain(nowMs: 300)) == ["send Heartbeat", "release 1/1", "release 2/1"])
        #expect(Self.kinds(c.received(Self.assign(3, epoch: 1), nowMs: 301)) == ["hand back 3"])
        guard case .send(.heartbeat(let beat)) = c.tick(nowMs: 400).first else { return }
        #expect(beat.draining)
    }

    /// An order intent's verdict reaches the run it names, never a newer run of the job.
    @Test func aVerdictIsForTheRunItNames() {
        var c = Self.connected()
        #expect(Self.kinds(c.received(Self.assign(7, epoch: 3), nowMs: 200)) == ["start 7/3"])
        let mine = IntentVerdict(jobId: 7, epoch: 3, clientOrderId: "ats-7-3-0", accepted: true)
        #expect(Self.kinds(c.received(.intentVerdict(mine), nowMs: 210)) == ["verdict 7/3 true"])
        let older = IntentVerdict(jobId: 7, epoch: 2, clientOrderId: "ats-7-2-5", accepted: true)
        #expect(Self.kinds(c.received(.intentVerdict(older), nowMs: 220)) == ["ignored"])
        let unknown = IntentVerdict(jobId: 8, epoch: 1, clientOrderId: "ats-8-1-0", accepted: true)
        #expect(Self.kinds(c.received(.intentVerdict(unknown), nowMs: 230)) == ["ignored"])
    }
}

import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// The worker handshake against hostile peers: the cluster secret never crosses the wire, a
/// recorded hello is worthless on another connection, downgrades and forgeries are refused with
/// nothing written, and peers that trickle bytes are closed at the deadline without disturbing the
/// workers that behave.
@Suite(.serialized)
struct HandshakeSecurityTests {
    func expectRefused(_ peer: HandPeer, _ code: Refuse.Code, _ what: String) async throws {
        guard case .refuse(let refusal) = try await peer.receive() else {
            Issue.record("\(what): expected a Refuse")
            return
        }
        #expect(refusal.code == code, "\(what): \(refusal.reason)")
        #expect(await peer.connection.readUntilClosed() != nil, "\(what): the coordinator closes the connection")
    }

    @Test func replayedForgedAndDowngradedHellosAreRefusedAndNothingIsWritten() async throws {
        try await TestCluster.with { cluster in
            let genuine = try await HandPeer(port: cluster.workerPort)
            let replay = try await HandPeer(port: cluster.workerPort)
            #expect(genuine.challenge.nonce.count == 32 && genuine.challenge.nonce != replay.challenge.nonce)
            #expect(genuine.challenge.supportedVersions == [3])

            // A hello recorded on one connection, replayed on another.
            let recorded = genuine.hello("recorded")
            replay.send(.hello(recorded))
            try await expectRefused(replay, .badCredentials, "replayed hello")

            let guesser = try await HandPeer(port: cluster.workerPort)
            guesser.send(.hello(guesser.hello("guesser", secret: "not-the-cluster-secret")))
            try await expectRefused(guesser, .badCredentials, "wrong secret")

            let bare = try await HandPeer(port: cluster.workerPort)
            var noProof = bare.hello("bare")
            noProof.proof = []
            bare.send(.hello(noProof))
            try await expectRefused(bare, .badCredentials, "no proof")

            // A proof made for one worker id presented under another.
            let renamer = try await HandPeer(port: cluster.workerPort)
            var renamed = renamer.hello("alice")
            renamed.workerId = "mallory"
            renamer.send(.hello(renamed))
            try await expectRefused(renamer, .badCredentials, "proof for another worker id")

            // Version 1 sent the secret in the clear: a correct proof does not make it acceptable.
            let downgrade = try await HandPeer(port: cluster.workerPort)
            downgrade.send(.hello(downgrade.hello("old", version: 1)))
            try await expectRefused(downgrade, .unsupportedVersion, "downgrade to version 1")

            // Version 2 workers neither replay reloads nor check a checkpoint's provenance.
            let older = try await HandPeer(port: cluster.workerPort)
            older.send(.hello(older.hello("older", version: 2)))
            try await expectRefused(older, .unsupportedVersion, "version 2")

            // A proof for version 3 presented as version 4 (a peer lying about its version).
            let liar = try await HandPeer(port: cluster.workerPort)
            var relabeled = liar.hello("liar")
            relabeled.protocolVersion = 4
            liar.send(.hello(relabeled))
            try await expectRefused(liar, .unsupportedVersion, "unknown version")

            #expect(try await cluster.workerRecords().isEmpty, "nothing written before a hello passes")

            // The genuine hello on its own connection is welcomed, and the coordinator proves the
            // secret in return.
            genuine.send(.hello(recorded))
            guard case .welcome(let welcome) = try await genuine.receive() else {
                Issue.record("the genuine hello is welcomed")
                return
            }
            #expect(
                HandshakeProof.isValidCoordinator(
                    welcome.proof, secret: TestCluster.workerToken, version: WireProtocol.version, workerId: "recorded",
                    coordinatorNonce: genuine.challenge.nonce, workerNonce: recorded.workerNonce))
            #expect(
                !HandshakeProof.isValidCoordinator(
                    welcome.proof, secret: TestCluster.workerToken, version: WireProtocol.version, workerId: "recorded",
                    coordinatorNonce: replay.challenge.nonce, workerNonce: recorded.workerNonce),
                "the coordinator's proof is bound to this connection's nonce")
            try await waitUntil("the genuine worker is registered", timeout: .seconds(10)) {
                try await cluster.workerRecords().map(\.id) == ["recorded"]
            }
            #expect(!cluster.coordinator.log.contains(TestCluster.workerToken), "the secret never reaches the logs")
        }
    }

    @Test func peersThatTrickleBytesAreClosedAtTheDeadlineWhileWorkersCarryOn() async throws {
        // Paced so that it runs through everything below (about 12 s).
        let data = TestData.file(bars: 12_000, seed: 8)
        let spec = TestData.spec(
            "steady", data: data, strategy: "sma_cross", ["fast": .int(3), "slow": .int(8)], mode: .paper,
            checkpointEvery: 1_000, paceMs: 1)
        try await TestCluster.with(environment: ["ATS_HANDSHAKE_TIMEOUT_MS": "1000"]) { cluster in
            try cluster.startWorker("good", capacity: 1)
            _ = try await cluster.create(spec)
            try await waitUntil("job running", timeout: .seconds(30)) {
                try await cluster.job("steady").status == .running
            }

            // Before the handshake: a valid hello sent a byte every 100 ms never gets to count.
            let trickler = try await HandPeer(port: cluster.workerPort)
            let frame = trickler.frameBytes(.hello(trickler.hello("trickler")))
            var sent = 0
            while sent < frame.count && !trickler.connection.isClosedByPeer {
                trickler.connection.send([frame[sent]])
                sent += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(sent < frame.count, "closed at the handshake deadline, \(sent) of \(frame.count) bytes in")

            // After the handshake: a frame trickled a byte every 500 ms outlasts the idle timeout
            // (the lease timeout, 3 s here) though bytes keep coming.
            let slow = try await HandPeer(port: cluster.workerPort)
            slow.send(.hello(slow.hello("slow")))
            guard case .welcome = try await slow.receive() else {
                Issue.record("welcomed")
                return
            }
            let heartbeat = slow.frameBytes(.heartbeat(Heartbeat(sentAtMs: 1, runningJobs: 0)))
            let padded = heartbeat + heartbeat
            sent = 0
            while sent < padded.count && !slow.connection.isClosedByPeer {
                slow.connection.send([padded[sent]])
                sent += 1
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(sent < padded.count, "closed at the idle deadline, \(sent) of \(padded.count) bytes in")

            // Many half-open connections at once, each with one byte sent: all closed.
            let crowd = try (0..<100).map { _ in try RawConnection(port: cluster.workerPort) }
            for c in crowd { c.send([0]) }
            try await waitUntil("every half-open connection closed", timeout: .seconds(15)) {
                crowd.allSatisfy { $0.isClosedByPeer }
            }

            #expect(try await cluster.job("steady").status == .running, "the good worker's job ran throughout")
            let done = try await cluster.waitForJobs(["steady"], timeout: .seconds(60))
            #expect(done.first?.status == .completed && done.first?.epoch == 1, "the good worker kept its job")
            let stored = try await cluster.fills("steady")
            let expected = try InProcessRun.run(spec).fills
            #expect(stored.count == expected.count && zip(stored, expected).allSatisfy { $0.fill == $1 })
        }
    }

    @Test func sequenceGapsAndRegressionsCloseOnlyThatConnection() async throws {
        try await TestCluster.with { cluster in
            func welcomed(_ id: String) async throws -> HandPeer {
                let peer = try await HandPeer(port: cluster.workerPort)
                peer.send(.hello(peer.hello(id)))
                guard case .welcome = try await peer.receive() else { throw TestEnvironmentError("\(id) not welcomed") }
                return peer
            }
            func progress(_ seq: UInt64) -> WireMessage {
                .progress(
                    JobProgress(
                        header: JobHeader(jobId: 424_242, epoch: 1, messageSeq: seq), barsDone: 1, barsTotal: 2,
                        equity: 1))
            }
            let orderly = try await welcomed("orderly")
            let skipper = try await welcomed("skipper")
            let repeater = try await welcomed("repeater")
            for seq in [UInt64(7), 8, 9] { orderly.send(progress(seq)) }
            // Acks are cumulative: the coordinator may ack several messages at once (a batch).
            var acked: UInt64 = 6
            while acked < 9 {
                guard case .ack(let ack) = try await orderly.receive() else {
                    Issue.record("in-sequence messages are acked")
                    return
                }
                #expect(ack.messageSeq > acked && ack.messageSeq <= 9)
                acked = ack.messageSeq
            }
            skipper.send(progress(7))
            skipper.send(progress(9))
            repeater.send(progress(7))
            repeater.send(progress(7))
            #expect(await skipper.connection.readUntilClosed() != nil, "a gap closes the connection")
            #expect(await repeater.connection.readUntilClosed() != nil, "a step back closes the connection")
            orderly.send(progress(10))
            guard case .ack(let ack) = try await orderly.receive() else {
                Issue.record("the orderly connection is unharmed")
                return
            }
            #expect(ack.messageSeq == 10)
            // The connection closes before the coordinator logs why: wait for the lines.
            try await waitUntil("both reasons logged", timeout: .seconds(10)) {
                cluster.coordinator.log.contains("message_seq 9 skipped ahead (expected 8)")
                    && cluster.coordinator.log.contains("message_seq 7 went back (expected 8)")
            }
        }
    }

    @Test func workersWithTheirOwnSecretCannotUseTheClusterSecret() async throws {
        let alphaSecret = "alpha-own-secret-0123456789"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ats-secrets-\(UUID().uuidString.prefix(8))")
        try "# worker-id secret\nalpha \(alphaSecret)\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }

        // Readable by others: the coordinator refuses to start, and says why without the secret.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let db = try await TestDatabase.create()
        let careless = try ChildProcess(
            "ats-coordinator", name: "coordinator-careless",
            environment: [
                "DATABASE_URL": db.url, "ATS_WORKER_TOKEN": TestCluster.workerToken,
                "ATS_ADMIN_TOKEN": TestCluster.adminToken, "ATS_WORKER_SECRETS_FILE": file.path,
                "ATS_WORKER_PORT": "\(try freeFixedPort())", "ATS_HTTP_PORT": "\(try freeFixedPort())",
            ])
        #expect(await careless.waitForExit(timeout: .seconds(20)) == 78, "a configuration error (EX_CONFIG)")
        #expect(careless.log.contains("chmod 600") && !careless.log.contains(alphaSecret))
        await db.drop()

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        try await TestCluster.with(environment: ["ATS_WORKER_SECRETS_FILE": file.path]) { cluster in
            func reply(_ id: String, _ secret: String) async throws -> WireMessage? {
                let peer = try await HandPeer(port: cluster.workerPort)
                peer.send(.hello(peer.hello(id, secret: secret)))
                return try await peer.receive()
            }
            func welcomed(_ m: WireMessage?) -> Bool { if case .welcome = m { true } else { false } }
            func refused(_ m: WireMessage?) -> Bool {
                if case .refuse(let r) = m { r.code == .badCredentials } else { false }
            }
            await #expect(welcomed(try reply("alpha", alphaSecret)), "alpha with its own secret")
            await #expect(refused(try reply("alpha", TestCluster.workerToken)), "alpha with the cluster secret")
            await #expect(
                welcomed(try reply("beta", TestCluster.workerToken)), "an unlisted worker with the cluster secret")
            await #expect(refused(try reply("beta", alphaSecret)), "another worker with alpha's secret")

            let alpha = try cluster.startWorker("alpha", token: alphaSecret)
            try await waitUntil("the alpha worker process connects", timeout: .seconds(20)) {
                alpha.log.contains("connected to coordinator")
            }
        }
    }

    /// Resident memory of a process, in MiB (from /proc).
    static func residentMiB(_ pid: Int32) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return .nan }
        return kb / 1024
    }

    @Test func aThousandSlowConnectionsAreClosedWithMemoryBoundedAndWorkersUnaffected() async throws {
        // A thousand sockets here and as many in the coordinator: raise the descriptor limit,
        // which the coordinator inherits.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = min(limit.rlim_max, 16_384)
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        // Both ends of every connection live on this machine; leave room for the rest.
        let peers = min(1_000, Int(limit.rlim_cur) / 2 - 200)
        try #require(peers >= 100, "too few file descriptors: the hard limit is \(limit.rlim_max)")

        let data = TestData.file(bars: 10_000, seed: 9)
        let spec = TestData.spec(
            "steady", data: data, strategy: "sma_cross", ["fast": .int(3), "slow": .int(8)], mode: .paper,
            checkpointEvery: 1_000, paceMs: 1)
        try await TestCluster.with(environment: ["ATS_HANDSHAKE_TIMEOUT_MS": "2000"]) { cluster in
            try cluster.startWorker("good", capacity: 1)
            _ = try await cluster.create(spec)
            try await waitUntil("job running", timeout: .seconds(30)) {
                try await cluster.job("steady").status == .running
            }
            let pid = cluster.coordinator.process.processIdentifier
            let before = Self.residentMiB(pid)
            // A thousand peers sending a byte a second: none ever completes a hello.
            let crowd = try (0..<peers).map { _ in try RawConnection(port: cluster.workerPort) }
            var peak = before
            for _ in 0..<3 {
                for c in crowd { c.send([0x00]) }
                peak = max(peak, Self.residentMiB(pid))
                try await Task.sleep(for: .seconds(1))
            }
            try await waitUntil("all \(peers) closed by the coordinator", timeout: .seconds(20)) {
                crowd.allSatisfy { $0.isClosedByPeer }
            }
            peak = max(peak, Self.residentMiB(pid))
            print(
                "FAULTS scenario 7: \(peers) slow connections closed at the 2 s handshake deadline; coordinator RSS "
                    + String(format: "%.0f MiB before, %.0f MiB at peak", before, peak))
            #expect(peak - before < 256, "memory bounded: \(before) → \(peak) MiB")
            #expect(try await cluster.job("steady").leaseOwner == "good", "the good worker kept its lease")
            let done = try await cluster.waitForJobs(["steady"], timeout: .seconds(60))
            #expect(done.first?.status == .completed && done.first?.epoch == 1, "never reassigned")
        }
    }
}

import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// Mutual TLS on the worker port (scenario 8, certificates): certificates from
/// scripts/make-test-certs.sh (openssl), a coordinator that requires a client certificate signed
/// by the cluster CA, and workers with the right certificate, another CA's, none, or no TLS.
@Suite(.serialized)
struct TLSTests {
    /// A fresh CA and certificates in a temporary directory.
    static func certificates() async throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ats-certs-\(UUID().uuidString.prefix(8))"
        )
        .path
        let made = try await runTool(
            "/bin/bash", [root.appendingPathComponent("scripts/make-test-certs.sh").path, dir])
        guard made.status == 0 else { throw TestEnvironmentError("make-test-certs.sh failed: \(made.output)") }
        return dir
    }

    /// A worker's TLS settings (empty values unset what the cluster's environment, made for the
    /// coordinator, would pass on).
    static func worker(_ dir: String, cert: String?, ca: String? = "ca") -> [String: String] {
        [
            "ATS_TLS_CA": ca.map { "\(dir)/\($0).pem" } ?? "", "ATS_TLS_CERT": cert.map { "\(dir)/\($0).pem" } ?? "",
            "ATS_TLS_KEY": cert.map { "\(dir)/\($0).key" } ?? "",
        ]
    }

    @Test func mutualTLSCarriesJobsAndRefusesEveryOtherPeer() async throws {
        let dir = try await Self.certificates()
        let coordinator = [
            "ATS_TLS_CERT": "\(dir)/coordinator.pem", "ATS_TLS_KEY": "\(dir)/coordinator.key",
            "ATS_TLS_CA": "\(dir)/ca.pem", "ATS_HANDSHAKE_TIMEOUT_MS": "2000",
        ]
        let spec = LifecycleTests.paced("over-tls", bars: 1_500)
        try await TestCluster.with(environment: coordinator) { cluster in
            // Refused: a certificate from another CA, no certificate, no TLS at all, and a worker
            // that does not trust the coordinator's CA (it refuses the coordinator).
            let rogue = try cluster.startWorker("rogue", environment: Self.worker(dir, cert: "rogue-worker"))
            let anonymous = try cluster.startWorker("anonymous", environment: Self.worker(dir, cert: nil))
            let plain = try cluster.startWorker("plain", environment: Self.worker(dir, cert: nil, ca: nil))
            let suspicious = try cluster.startWorker(
                "suspicious", environment: Self.worker(dir, cert: "worker", ca: "rogue-ca"))
            // Accepted: the cluster's certificate.
            try cluster.startWorker("w1", environment: Self.worker(dir, cert: "worker"))
            _ = try await cluster.create(spec)
            let done = try await cluster.waitForJobs([spec.name], timeout: .seconds(60))
            #expect(done.first?.status == .completed && done.first?.leaseOwner == nil)
            #expect(try await cluster.fills(spec.name).map(\.fill) == (try InProcessRun.run(spec).fills))

            // By now each refused worker has tried several times (backoff 0.1–0.4 s).
            try await waitUntil("every refused worker retried", timeout: .seconds(20)) {
                [rogue, anonymous, plain, suspicious].allSatisfy {
                    $0.log.components(separatedBy: "connection to coordinator lost").count > 2
                }
            }
            #expect(try await cluster.workerRecords().map(\.id) == ["w1"], "nothing written for a refused peer")
            #expect(
                suspicious.log.contains("CERTIFICATE_VERIFY_FAILED"),
                "the worker says why: \(suspicious.log.suffix(600))")
            for refused in [rogue, anonymous, plain, suspicious] {
                #expect(!refused.log.contains("connected to coordinator"), "\(refused.name)")
            }
            // A hand-written plain frame on the TLS port: closed during the handshake.
            let raw = try RawConnection(port: cluster.workerPort)
            raw.send([0, 0, 0, 1, 7])
            #expect(await raw.readUntilClosed() != nil, "closed")
            #expect(cluster.coordinator.isRunning)
        }
    }

    @Test func badCertificateSettingsStopTheDaemonsNamingTheVariable() async throws {
        let dir = try await Self.certificates()
        let missing = try ChildProcess(
            "ats-coordinator", name: "coordinator-bad-tls",
            environment: [
                "DATABASE_URL": "postgres://u@127.0.0.1:1/x", "ATS_WORKER_TOKEN": TestCluster.workerToken,
                "ATS_ADMIN_TOKEN": TestCluster.adminToken, "ATS_TLS_CERT": "\(dir)/coordinator.pem",
                "ATS_TLS_KEY": "\(dir)/nope.key",
            ])
        #expect(await missing.waitForExit() == 78)
        #expect(missing.log.contains("ATS_TLS_KEY: cannot use \(dir)/nope.key"), "\(missing.log)")
        let halfWorker = try ChildProcess(
            "ats-worker", name: "worker-bad-tls",
            environment: [
                "ATS_WORKER_TOKEN": TestCluster.workerToken, "ATS_TLS_CA": "\(dir)/ca.pem",
                "ATS_TLS_CERT": "\(dir)/worker.pem",
            ])
        #expect(await halfWorker.waitForExit() == 78)
        #expect(halfWorker.log.contains("ATS_TLS_KEY"), "\(halfWorker.log)")
    }
}

import ATSEngine
import ATSShared
import ATSTestSupport
import Crypto
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Data sets through an S3-compatible store (issue 18): the leader puts each set there, workers
/// take it from there when a coordinator says it is there, checked against the SHA-256 that
/// coordinator states under its MAC, and fall back to the coordinators whenever the store is away,
/// refuses them or holds other bytes. The store is scripts/fake_s3.py, which checks each request's
/// Signature Version 4 with its own implementation.
@Suite(.serialized)
struct DatasetObjectStoreTests {
    static func record(_ cluster: TestCluster, _ name: String) async throws -> DatasetRecord {
        try JSONCoding.decoder().decode(
            DatasetRecord.self, from: try await cluster.request("GET", "api/datasets/\(name)").body)
    }

    static func fetchedFrom(_ worker: ChildProcess) -> [String] {
        worker.log.split(separator: "\n").filter { $0.contains("data set fetched") }.compactMap { line in
            line.range(of: "from=").map { String(line[$0.upperBound...].prefix { $0 != " " }) }
        }
    }

    /// The fake store's own signature check reproduces the S3 reference's published examples (as
    /// S3SignerTests pins the Swift signer to them): the two are independent and agree.
    @Test func theFakeStoreReproducesThePublishedExamples() async throws {
        let run = try await runTool("/usr/bin/python3", [FakeObjectStore.script, "--self-test"])
        #expect(run.status == 0 && run.output.components(separatedBy: " ok").count - 1 == 4, "\(run.output)")
    }

    @Test func setsTravelThroughTheStoreAndTheCoordinatorsStandIn() async throws {
        // Over one 8 MiB range: the worker reads the object in two.
        let file = TestData.file(bars: 200_000, seed: 11)
        let store = try await FakeObjectStore()
        let caches = FileManager.default.temporaryDirectory.appendingPathComponent("ats-s3-caches-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: caches) }
        try await store.around { try await Self.throughTheStore(store, file: file, caches: caches) }
    }

    static func throughTheStore(_ store: FakeObjectStore, file: String, caches: String) async throws {
        // Parts of 5 MiB (S3's smallest): the 12.8 MB set goes as a multipart upload of three.
        try await TestCluster.with(environment: store.environment().merging(["ATS_DATASET_S3_PART_MB": "5"]) { $1 }) {
            cluster in
            let add = try await cluster.ats(["data", "add", file, "--name", "s3-set"])
            #expect(add.status == 0, "\(add.output)")
            var record = try await Self.record(cluster, "s3-set")
            let object = store.file("ats-bucket/sets/" + DatasetStore.objectName(record.hash))
            try await waitUntil("the leader puts the set in the store", timeout: .seconds(30)) {
                try await Self.record(cluster, "s3-set").objectStoredAt != nil
            }
            record = try await Self.record(cluster, "s3-set")
            let key = "/ats-bucket/sets/" + DatasetStore.objectName(record.hash)
            #expect(record.bytes > 10 << 20)
            #expect(store.requests.contains { $0.hasPrefix("POST \(key)?uploads= ") && $0.hasSuffix(" 200") })
            for part in 1...3 {
                #expect(
                    store.requests.contains {
                        $0.hasPrefix("PUT \(key)?partNumber=\(part)&uploadId=") && $0.hasSuffix(" 200")
                    })
            }
            #expect(!store.requests.contains { $0.hasPrefix("PUT \(key)?partNumber=4") })
            #expect(store.requests.contains { $0.hasPrefix("POST \(key)?uploadId=") && $0.hasSuffix(" 200") })
            // The object is the catalog: its SHA-256 the one recorded, its XXH3 the set's hash.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: object))
            #expect(Int64(bytes.count) == record.bytes)
            #expect(SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() == record.sha256)
            #expect(ReproducibilityStamp.hash(bytes) == record.hash)
            let show = try await cluster.ats(["data", "show", "s3-set"])
            #expect(show.output.contains("in the object store") && show.output.contains(record.sha256 ?? "?"))
            #expect(record.objectStore == store.environment()["ATS_DATASET_S3_URL"])

            var onSet = TestData.spec(
                "on-set", data: file, strategy: "sma_cross", ["fast": .int(10), "slow": .int(30)])
            onSet.data = DataSource(set: "s3-set")
            _ = try await cluster.create(onSet)
            _ = try await cluster.create(
                TestData.spec("on-file", data: file, strategy: "sma_cross", ["fast": .int(10), "slow": .int(30)]))
            let w1 = try cluster.startWorker("w1", capacity: 2, environment: ["ATS_DATASET_CACHE_DIR": caches + "/w1"])
            for job in try await cluster.waitForJobs(["on-set", "on-file"], timeout: .seconds(180)) {
                #expect(job.status == .completed, "\(job.name): \(job.lastError ?? "")")
            }
            let fromFile = try await cluster.fills("on-file")
            #expect(!fromFile.isEmpty)
            #expect(DatasetTests.sameTrades(try await cluster.fills("on-set"), fromFile))
            let storeURL = store.environment()["ATS_DATASET_S3_URL"]!
            #expect(Self.fetchedFrom(w1) == [storeURL], "\(w1.log.suffix(3000))")
            let path = "/ats-bucket/sets/" + DatasetStore.objectName(record.hash)
            #expect(store.requests.contains("GET \(path) bytes=0-8388607 206"), "\(store.requests)")
            #expect(store.requests.contains("GET \(path) bytes=8388608-16777215 206"), "\(store.requests)")

            // Each next job on a new worker that lacks the set (the one before stopped first, so
            // the job cannot go to it), which must fall back to the coordinator.
            func onNewWorker(_ n: Int, after previous: ChildProcess, environment: [String: String] = [:])
                async throws -> ChildProcess
            {
                await previous.stop()
                var spec = onSet
                spec.name = "on-set-\(n)"
                _ = try await cluster.create(spec)
                let worker = try cluster.startWorker(
                    "w\(n)", capacity: 1,
                    environment: ["ATS_DATASET_CACHE_DIR": caches + "/w\(n)"].merging(environment) { $1 })
                let job = try #require(try await cluster.waitForJobs([spec.name], timeout: .seconds(180)).first)
                #expect(job.status == .completed, "\(job.name): \(job.lastError ?? "")")
                #expect(DatasetTests.sameTrades(try await cluster.fills(spec.name), fromFile))
                #expect(
                    Self.fetchedFrom(worker) == ["http://127.0.0.1:\(cluster.httpPort)"], "\(worker.log.suffix(3000))")
                return worker
            }

            // Other bytes in the store: refused by their SHA-256.
            var altered = bytes
            altered[altered.count / 2] ^= 0xFF
            try altered.write(to: URL(fileURLWithPath: object))
            let w2 = try await onNewWorker(2, after: w1)
            #expect(w2.log.contains("not taken from the object store") && w2.log.contains("SHA-256"), "\(w2.log)")
            try bytes.write(to: URL(fileURLWithPath: object))

            // A worker with the wrong keys: the store refuses its signature.
            let w3 = try await onNewWorker(
                3, after: w2, environment: ["ATS_DATASET_S3_SECRET_ACCESS_KEY": "not-the-secret-key"])
            #expect(w3.log.contains("SignatureDoesNotMatch"), "\(w3.log.suffix(3000))")
            #expect(store.requests.contains { $0.hasPrefix("GET \(path) ") && $0.hasSuffix(" 403") })
            #expect(!w3.log.contains("not-the-secret-key"), "a secret in the log")

            // The object gone from the store while it is marked as there.
            try FileManager.default.removeItem(atPath: object)
            let w4 = try await onNewWorker(4, after: w3)
            #expect(w4.log.contains("NoSuchKey"), "\(w4.log.suffix(3000))")
            try bytes.write(to: URL(fileURLWithPath: object))
            // Removing the set deletes its object (in the background, after the answer).
            for name in ["on-set", "on-set-2", "on-set-3", "on-set-4"] {
                #expect(try await cluster.request("DELETE", "api/jobs/\(name)").status == 200)
            }
            let removed = try await cluster.ats(["data", "rm", "s3-set"])
            #expect(removed.status == 0, "\(removed.output)")
            // (The store removes the file, then logs the request and answers.)
            try await waitUntil("the object is deleted", timeout: .seconds(30)) {
                !FileManager.default.fileExists(atPath: object) && store.requests.contains("DELETE \(path) - 204")
            }
        }
    }

    @Test func anObjectGoneFromTheStoreOrChangedIsPutThereAgain() async throws {
        let store = try await FakeObjectStore()
        let environment = store.environment(folder: "checked").merging(["ATS_DATASET_S3_CHECK_SECONDS": "1"]) { $1 }
        try await store.around {
            try await TestCluster.with(environment: environment) { cluster in
                let good = Data("timestamp,open,high,low,close,volume\n1000,1,2,0.5,1.5,10\n2000,1.5,2,1,1.2,11\n".utf8)
                let stored = try await cluster.request("POST", "api/datasets?name=checked", body: good)
                #expect(stored.status == 201, "\(String(decoding: stored.body, as: UTF8.self))")
                let record = try JSONCoding.decoder().decode(DatasetRecord.self, from: stored.body)
                let object = store.file("ats-bucket/checked/" + DatasetStore.objectName(record.hash))
                try await waitUntil("the leader puts the set in the store", timeout: .seconds(30)) {
                    try await Self.record(cluster, "checked").objectStoredAt != nil
                }
                let bytes = try Data(contentsOf: URL(fileURLWithPath: object))
                #expect(Int64(bytes.count) == record.bytes)
                func restored() -> Bool { (try? Data(contentsOf: URL(fileURLWithPath: object))) == bytes }
                // Deleted behind the leader's back: found by the check, put there again.
                try FileManager.default.removeItem(atPath: object)
                try await waitUntil("the leader puts the deleted object there again", timeout: .seconds(30)) {
                    restored()
                }
                #expect(
                    cluster.coordinators[0].log.contains("a data set's object is gone from the object store or changed")
                )
                // Replaced by other bytes of another size: the same.
                try Data("not the catalog".utf8).write(to: URL(fileURLWithPath: object))
                try await waitUntil("the leader puts the changed object there again", timeout: .seconds(30)) {
                    restored()
                }
                // The leader puts the object back, then marks the set stored: the mark follows.
                try await waitUntil("the leader marks the set stored again", timeout: .seconds(30)) {
                    try await Self.record(cluster, "checked").objectStoredAt != nil
                }
            }
        }
    }

    @Test func aWorkerWithoutKeysReadsAPublicStore() async throws {
        let store = try await FakeObjectStore(anonymousRead: true)
        let file = TestData.file(bars: 3000, seed: 12)
        try await store.around {
            try await TestCluster.with(environment: store.environment(folder: "public")) { cluster in
                #expect(try await cluster.ats(["data", "add", file, "--name", "public-set"]).status == 0)
                try await waitUntil("the leader puts the set in the store", timeout: .seconds(30)) {
                    try await Self.record(cluster, "public-set").objectStoredAt != nil
                }
                var spec = TestData.spec(
                    "on-public", data: file, strategy: "sma_cross", ["fast": .int(10), "slow": .int(30)])
                spec.data = DataSource(set: "public-set")
                _ = try await cluster.create(spec)
                // No keys on the worker (empty is unset): its reads go unsigned.
                let worker = try cluster.startWorker(
                    "anonymous", capacity: 1,
                    environment: ["ATS_DATASET_S3_ACCESS_KEY_ID": "", "ATS_DATASET_S3_SECRET_ACCESS_KEY": ""])
                let job = try #require(try await cluster.waitForJobs(["on-public"], timeout: .seconds(180)).first)
                #expect(job.status == .completed, "\(job.lastError ?? "")")
                // Read from the store: unsigned requests it serves only because reads are public.
                #expect(Self.fetchedFrom(worker) == [store.environment(folder: "public")["ATS_DATASET_S3_URL"]!])
            }
        }
    }

    @Test func aSetRegisteredWhileTheStoreIsAwayGoesThereWhenItIsBack() async throws {
        // Chosen now, bound later (the kernel could hand it out meanwhile: unlikely in 20 s).
        let port = try freeFixedPort()
        try await TestCluster.with(environment: FakeObjectStore.environment(port: port, folder: "later")) { cluster in
            let good = Data("timestamp,open,high,low,close,volume\n1000,1,2,0.5,1.5,10\n2000,1.5,2,1,1.2,11\n".utf8)
            let stored = try await cluster.request("POST", "api/datasets?name=later", body: good)
            #expect(stored.status == 201, "registered while the store is away")
            let record = try JSONCoding.decoder().decode(DatasetRecord.self, from: stored.body)
            #expect(record.objectStoredAt == nil && record.sha256 != nil)
            try await waitUntil("the leader says it could not", timeout: .seconds(20)) {
                cluster.coordinators[0].log.contains("could not put a data set in the object store")
            }
            // What a worker is told, signed for it only: not in the store yet.
            let path = "/worker/datasets/\(record.hash)/digest"
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(cluster.httpPort)\(path)")!)
            #expect((try await URLSession.shared.data(for: request).1 as? HTTPURLResponse)?.statusCode == 401)
            request.setValue(
                WorkerRequestSignature.header(
                    secret: TestCluster.workerToken, method: "GET", path: path, range: "", workerId: "w1",
                    time: Int64(Date().timeIntervalSince1970)), forHTTPHeaderField: "Authorization")
            let (body, response) = try await URLSession.shared.data(for: request)
            let mac = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: WorkerRequestSignature.contentHeader)
            #expect(
                body.withUnsafeBytes {
                    WorkerRequestSignature.isValidContent(
                        mac ?? "", secret: TestCluster.workerToken, path: path, range: "", bytes: $0)
                })
            let digest = try JSONDecoder().decode(DatasetDigest.self, from: body)
            #expect(digest == DatasetDigest(bytes: record.bytes, sha256: record.sha256, objectStore: nil))

            let store = try await FakeObjectStore(port: port)
            try await store.around {
                try await waitUntil("the leader puts the set there once the store is back", timeout: .seconds(60)) {
                    try await Self.record(cluster, "later").objectStoredAt != nil
                }
                #expect(
                    FileManager.default.fileExists(
                        atPath: store.file("ats-bucket/later/" + DatasetStore.objectName(record.hash))))
            }
        }
    }
}

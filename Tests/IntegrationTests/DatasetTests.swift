import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Data sets that travel (issue 18): registered once with the cluster, fetched by a worker that
/// lacks them, checked against their content hash, shared by the jobs that use them.
@Suite(.serialized)
struct DatasetTests {
    static func sameTrades(_ a: [FillRow], _ b: [FillRow]) -> Bool {
        a.map { [Double($0.seq), Double($0.barIndex), $0.price, $0.quantity, $0.feeQuote] }
            == b.map { [Double($0.seq), Double($0.barIndex), $0.price, $0.quantity, $0.feeQuote] }
    }

    @Test func jobsOnADataSetRunOnAWorkerThatNeverHadTheFile() async throws {
        let file = TestData.file(bars: 20_000, seed: 7)
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("ats-sets-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        try await TestCluster.with { cluster in
            let add = try await cluster.ats(["data", "add", file, "--name", "synth-7", "--symbol", "BTC/USDT"])
            #expect(add.status == 0, "\(add.output)")
            let record = try JSONCoding.decoder().decode(
                DatasetRecord.self, from: try await cluster.request("GET", "api/datasets/synth-7").body)
            // Stored as the catalog, under the hash of those bytes (what run stamps record).
            let bars = try BarLoader.load(path: file)
            #expect(record.rows == 20_000 && record.firstMs == bars.time[0] && record.symbol == "BTC/USDT")
            #expect(record.hash == ReproducibilityStamp.hash(BarCatalog.encode(bars)))
            #expect(add.output.contains(record.hash))
            let again = try await cluster.ats(["data", "add", file, "--name", "synth-7"])
            #expect(again.status == 0, "the same bars under the same name: \(again.output)")
            let other = try await cluster.ats(["data", "add", file, "--name", "synth-copy"])
            #expect(other.status != 0 && other.output.contains("already registered as \"synth-7\""), "\(other.output)")

            var onSet = TestData.spec(
                "on-set", data: file, strategy: "sma_cross", ["fast": .int(10), "slow": .int(30)])
            onSet.data = DataSource(set: "synth-7")
            var twin = onSet
            twin.name = "on-set-2"
            let created = try await cluster.create(onSet)
            #expect(created.spec?.data.hash == record.hash, "pinned to the set's hash when created")
            _ = try await cluster.create(twin)
            _ = try await cluster.create(
                TestData.spec("on-file", data: file, strategy: "sma_cross", ["fast": .int(10), "slow": .int(30)]))
            let worker = try cluster.startWorker("w1", capacity: 3, environment: ["ATS_DATASET_CACHE_DIR": cache])
            for job in try await cluster.waitForJobs(["on-set", "on-set-2", "on-file"], timeout: .seconds(120)) {
                #expect(job.status == .completed, "\(job.name): \(job.lastError ?? "")")
            }
            let fromFile = try await cluster.fills("on-file")
            #expect(!fromFile.isEmpty)
            #expect(Self.sameTrades(try await cluster.fills("on-set"), fromFile), "the set's bars are the file's")
            #expect(Self.sameTrades(try await cluster.fills("on-set-2"), fromFile))
            // One download for both jobs, kept under its hash.
            let held = try FileManager.default.contentsOfDirectory(atPath: cache)
            #expect(held == [record.hash.replacingOccurrences(of: ":", with: "-") + ".bars"], "\(held)")
            #expect(worker.log.components(separatedBy: "data set fetched").count - 1 == 1, "\(worker.log.suffix(2000))")

            // A cached copy changed on disk is not used: it is fetched again and the job runs.
            let path = cache + "/" + held[0]
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count - 1] ^= 0xFF
            try bytes.write(to: URL(fileURLWithPath: path))
            var third = onSet
            third.name = "on-set-3"
            _ = try await cluster.create(third)
            let redone = try #require(try await cluster.waitForJobs(["on-set-3"], timeout: .seconds(120)).first)
            #expect(redone.status == .completed, "\(redone.lastError ?? "")")
            #expect(Self.sameTrades(try await cluster.fills("on-set-3"), fromFile))
            #expect(worker.log.components(separatedBy: "data set fetched").count - 1 == 2)

            // In use, a set stays; once its jobs are gone it may go.
            let refused = try await cluster.ats(["data", "rm", "synth-7"])
            #expect(refused.status != 0 && refused.output.contains("on-set"), "\(refused.output)")
            for name in ["on-set", "on-set-2", "on-set-3"] {
                #expect(try await cluster.request("DELETE", "api/jobs/\(name)").status == 200)
            }
            let list = try await cluster.ats(["data", "list"])
            #expect(list.output.contains("synth-7") && list.output.contains("20000"), "\(list.output)")
            let removed = try await cluster.ats(["data", "rm", "synth-7"])
            #expect(removed.status == 0, "\(removed.output)")
            #expect(try await cluster.request("GET", "api/datasets/synth-7").status == 404)
        }
    }

    @Test func badInputIsRefusedWithTheReason() async throws {
        try await TestCluster.with(environment: ["ATS_DATASET_MAX_MB": "1"]) { cluster in
            // Over the coordinator's limit: refused, saying which.
            let big = Data(repeating: 0x31, count: 1_500_000)
            let tooBig = try await cluster.request("POST", "api/datasets?name=big", body: big)
            #expect(
                tooBig.status == 413 && String(decoding: tooBig.body, as: UTF8.self).contains("ATS_DATASET_MAX_MB"),
                "\(tooBig.status) \(String(decoding: tooBig.body, as: UTF8.self))")
            // A malformed file: its name and line.
            let bad = Data("timestamp,open,high,low,close,volume\n1000,1,2,0.5,1.5,10\n2000,1,x,0.5,1.5,10\n".utf8)
            let upload = try await cluster.request("POST", "api/datasets?name=bad&source=bad.csv", body: bad)
            let text = String(decoding: upload.body, as: UTF8.self)
            #expect(upload.status == 400 && text.contains("bad.csv:3"), "\(text)")
            let badName = try await cluster.request("POST", "api/datasets?name=../x", body: bad)
            #expect(
                badName.status == 400 && String(decoding: badName.body, as: UTF8.self).contains("\"field\":\"name\""))
            // A job naming a set that does not exist: which field, and why.
            var spec = TestData.spec("no-set", data: "x.csv", strategy: "noop", [:])
            spec.data = DataSource(set: "nowhere")
            let reply = try await cluster.request("POST", "api/jobs", body: spec.json())
            let why = String(decoding: reply.body, as: UTF8.self)
            #expect(reply.status == 400 && why.contains("\"field\":\"data.set\"") && why.contains("nowhere"), "\(why)")

            // The bytes are a worker's only: signed with its secret, for that path, recently.
            let good = Data("timestamp,open,high,low,close,volume\n1000,1,2,0.5,1.5,10\n2000,1.5,2,1,1.2,11\n".utf8)
            let stored = try await cluster.request("POST", "api/datasets?name=tiny", body: good)
            #expect(stored.status == 201, "\(String(decoding: stored.body, as: UTF8.self))")
            let record = try JSONCoding.decoder().decode(DatasetRecord.self, from: stored.body)
            let path = "/worker/datasets/\(record.hash)"
            let now = Int64(Date().timeIntervalSince1970)
            var lastMAC: String?
            func fetch(_ authorization: String?, range: String? = nil) async throws -> (Int, Data) {
                var r = URLRequest(url: URL(string: "http://127.0.0.1:\(cluster.httpPort)\(path)")!)
                if let authorization { r.setValue(authorization, forHTTPHeaderField: "Authorization") }
                if let range { r.setValue(range, forHTTPHeaderField: "Range") }
                let (data, response) = try await URLSession.shared.data(for: r)
                let http = response as? HTTPURLResponse
                lastMAC = http?.value(forHTTPHeaderField: WorkerRequestSignature.contentHeader)
                return (http?.statusCode ?? 0, data)
            }
            let sign = { (secret: String, time: Int64, signedPath: String, range: String) in
                WorkerRequestSignature.header(
                    secret: secret, method: "GET", path: signedPath, range: range, workerId: "w1", time: time)
            }
            let secret = TestCluster.workerToken
            #expect(try await fetch(nil).0 == 401)
            #expect(try await fetch("Bearer \(TestCluster.adminToken)").0 == 401, "the admin token is not a worker's")
            #expect(try await fetch(sign("a-wrong-secret-0123456789", now, path, "")).0 == 401)
            #expect(try await fetch(sign(secret, now - 3_600, path, "")).0 == 401, "an old signature")
            #expect(try await fetch(sign(secret, now, "/worker/datasets/other", "")).0 == 401)
            #expect(try await fetch(sign(secret, now, path, "")).0 == 416, "ranges only")
            let whole = try await fetch(sign(secret, now, path, "bytes=0-"), range: "bytes=0-")
            #expect(whole.0 == 206 && Int64(whole.1.count) == record.bytes)
            #expect(ReproducibilityStamp.hash(whole.1) == record.hash)
            let part = try await fetch(sign(secret, now, path, "bytes=10-73"), range: "bytes=10-73")
            #expect(part.0 == 206 && part.1 == whole.1[10..<74])
            let mac = try #require(lastMAC, "a range comes with its content MAC")
            #expect(
                Data(part.1).withUnsafeBytes {
                    WorkerRequestSignature.isValidContent(
                        mac, secret: secret, path: path, range: "bytes=10-73", bytes: $0)
                })
            // A range's signature opens that range only: replayed without it, or for another, no.
            #expect(try await fetch(sign(secret, now, path, "bytes=10-73")).0 == 401)
            #expect(try await fetch(sign(secret, now, path, "bytes=10-73"), range: "bytes=0-73").0 == 401)
            #expect(try await fetch(sign(secret, now, path, "bytes=999999-"), range: "bytes=999999-").0 == 416)
        }
    }
}

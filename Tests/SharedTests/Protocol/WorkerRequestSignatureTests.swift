import ATSEngine
import ATSShared
import Foundation
import Testing

struct WorkerRequestSignatureTests {
    let secret = "cluster-secret-0123456789"

    @Test func aSignatureHoldsForItsSecretMethodPathWorkerAndTime() throws {
        let header = WorkerRequestSignature.header(
            secret: secret, method: "GET", path: "/worker/datasets/x", range: "bytes=0-9", workerId: "w1", time: 1_000)
        let (id, time, sig) = try #require(WorkerRequestSignature.parse(header))
        #expect(id == "w1" && time == 1_000 && sig.count == 32)
        func valid(
            secret: String? = nil, method: String = "GET", path: String = "/worker/datasets/x",
            range: String = "bytes=0-9", worker: String = "w1", now: Int64 = 1_000
        ) -> Bool {
            WorkerRequestSignature.isValid(
                sig, secret: secret ?? self.secret, method: method, path: path, range: range, workerId: worker,
                time: time, now: now)
        }
        #expect(valid())
        #expect(valid(now: 1_000 + WorkerRequestSignature.window) && valid(now: 1_000 - WorkerRequestSignature.window))
        #expect(!valid(now: 1_001 + WorkerRequestSignature.window), "too old")
        #expect(!valid(secret: "another-secret-0123456789"))
        #expect(!valid(method: "DELETE"))
        #expect(!valid(path: "/worker/datasets/y"))
        #expect(!valid(worker: "w2"))
        #expect(!valid(range: "") && !valid(range: "bytes=0-99"), "the range is signed")
    }

    @Test func aRangesContentMACCatchesAnyChangeOnTheWay() {
        let bytes: [UInt8] = Array(0..<200).map { UInt8($0) }
        let path = "/worker/datasets/xxh3:0011223344556677"
        let mac = bytes.withUnsafeBytes {
            WorkerRequestSignature.contentMAC(secret: secret, path: path, range: "bytes=0-199", bytes: $0)
        }
        #expect(mac.count == 64)
        func valid(_ b: [UInt8], secret: String? = nil, path p: String? = nil, range: String = "bytes=0-199") -> Bool {
            b.withUnsafeBytes {
                WorkerRequestSignature.isValidContent(
                    mac, secret: secret ?? self.secret, path: p ?? path, range: range, bytes: $0)
            }
        }
        #expect(valid(bytes))
        var flipped = bytes
        flipped[137] ^= 1
        #expect(!valid(flipped), "one bit changed")
        #expect(!valid(Array(bytes.dropLast())), "one byte short")
        #expect(!valid(bytes, secret: "another-secret-0123456789"))
        #expect(!valid(bytes, path: "/worker/datasets/xxh3:ffffffffffffffff"))
        #expect(!valid(bytes, range: "bytes=0-198"))
    }

    /// Both MACs as an independent implementation computes them from docs/DATASETS.md's layout
    /// (Python's `hmac` over `struct.pack(">I", len(f)) + f` for each field).
    @Test func bothMACsMatchAnIndependentComputation() {
        let header = WorkerRequestSignature.header(
            secret: secret, method: "GET", path: "/worker/datasets/x", range: "bytes=0-9", workerId: "w1", time: 1_000)
        #expect(header.hasSuffix("sig=a2f85fe7b3380195141464a8b83b1deb1e76eb51fb3655f1bc3440bd25de62c1"))
        let content = Array(0..<200).map { UInt8($0) }.withUnsafeBytes {
            WorkerRequestSignature.contentMAC(
                secret: secret, path: "/worker/datasets/xxh3:0011223344556677", range: "bytes=0-199", bytes: $0)
        }
        #expect(content == "2b780f3e0747cb228f81ef8f8b855edfac3bf45b79d055252be0b0c0b7149213")
    }

    @Test func malformedHeadersAreNotSignatures() {
        for header in [
            "", "Bearer x", "ATS-Worker", "ATS-Worker id=w1, time=1",
            "ATS-Worker id=w1, time=x, sig=" + String(repeating: "0", count: 64),
            "ATS-Worker id=w1, time=1, sig=" + String(repeating: "z", count: 64),
            "ATS-Worker id=, time=1, sig=" + String(repeating: "0", count: 64),
            "ATS-Worker id=w1, time=1, sig=" + String(repeating: "0", count: 62),
        ] {
            #expect(WorkerRequestSignature.parse(header) == nil, "\(header)")
        }
    }
}

struct DataSourceTests {
    @Test func aSpecNamesADataSetOrAPathNotBoth() throws {
        let json = """
            {"name": "s", "data": {"set": "btc-1m"}, "exchange": {"symbol": {"base": "BTC", "quote": "USDT"}},
             "strategy": {"namespace": "strategies:noop"}}
            """
        let spec = try JobSpec.decode(json: Data(json.utf8))
        #expect(spec.data.set == "btc-1m" && spec.data.path.isEmpty && spec.data.hash == nil)
        _ = try spec.validate(with: .standard)
        let back = try JobSpec.decode(json: spec.json())
        #expect(back.data == spec.data, "round trip")
        var both = spec
        both.data.path = "x.csv"
        #expect(throws: SpecError.self) { try both.validate(with: .standard) }
        var badName = spec
        badName.data.set = "../x"
        let e = #expect(throws: SpecError.self) { try badName.validate(with: .standard) }
        #expect(e?.field == "data.set")
        for name in ["btc-1m", "BTC_USDT.1m", "a"] { #expect(DataSource.setNameProblem(name) == nil, "\(name)") }
        for name in ["", ".hidden", "-x", "a/b", "12345", "xxh3:0011", String(repeating: "a", count: 101)] {
            #expect(DataSource.setNameProblem(name) != nil, "\(name)")
        }
    }
}

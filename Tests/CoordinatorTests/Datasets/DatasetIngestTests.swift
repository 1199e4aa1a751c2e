import ATSEngine
import ATSVenueConnector
import Foundation
import Testing

@testable import ATSCoordinator

/// Registering a bar file: the catalog is the one the bars make, hashed as the stamps hash it,
/// and it lives in an unlinked temporary file's mapping, not in the process's memory beside the
/// bars; nothing is left in the temporary folder.
struct DatasetIngestTests {
    @Test func theCatalogIsMappedFromAnUnlinkedFileAndHashedAsTheBarsMakeIt() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bars = SyntheticBars(seed: 81).generate(count: 50_000)
        var csv = "timestamp,open,high,low,close,volume\n"
        for i in 0..<bars.count {
            let b = bars[i]
            csv += "\(b.time),\(b.open),\(b.high),\(b.low),\(b.close),\(b.volume)\n"
        }
        let path = dir + "/bars.csv"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(csv.utf8)))
        let temporary = dir + "/tmp"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)

        let ingest = try await DatasetIngest.make(
            path: path, file: "bars.csv", format: nil, temporaryFolder: temporary)
        let parsed = try BarLoader.load(path: path)
        let expected = BarCatalog.encode(parsed)
        #expect(ingest.catalog == expected)
        #expect(ingest.hash == ReproducibilityStamp.hash(expected) && ingest.sha256 == S3Client.sha256(expected))
        #expect(ingest.rows == 50_000 && ingest.format == "csv")
        #expect(ingest.firstMs == parsed.time[0] && ingest.lastMs == parsed.time[49_999])
        #expect(ingest.intervalMs == parsed.barInterval)

        #if os(Linux)
            // Where the catalog lies: a mapping of a deleted ats-catalog file, not anonymous memory.
            let address = ingest.catalog.withUnsafeBytes { UInt(bitPattern: $0.baseAddress!) }
            let maps = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
            let mapping = maps.split(separator: "\n").first { line in
                let range = line.prefix { $0 != " " }.split(separator: "-").compactMap { UInt($0, radix: 16) }
                return range.count == 2 && range[0] <= address && address < range[1]
            }
            #expect(
                mapping?.contains("ats-catalog-") == true && mapping?.contains("(deleted)") == true, "\(mapping ?? "")")
        #endif
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary).isEmpty, "unlinked at once")

        // A file that is not bars is refused as the file's fault, and leaves nothing behind.
        let bad = dir + "/bad.csv"
        #expect(FileManager.default.createFile(atPath: bad, contents: Data("timestamp,open\n1,x\n".utf8)))
        await #expect(throws: DataError.self) {
            try await DatasetIngest.make(path: bad, file: "bad.csv", format: nil, temporaryFolder: temporary)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary).isEmpty)
        // A temporary folder that cannot be written is the coordinator's failure, not the file's;
        // a file that is not bars is still refused as such first.
        await #expect(throws: DataError.self) {
            try await DatasetIngest.make(path: bad, file: "bad.csv", format: nil, temporaryFolder: dir + "/missing")
        }
        do {
            _ = try await DatasetIngest.make(
                path: path, file: "bars.csv", format: nil, temporaryFolder: dir + "/missing")
            Issue.record("a missing temporary folder cannot hold the catalog")
        } catch let e as DatasetIngest.StorageFailure {
            #expect(e.description.contains("No such file"))
        }
    }
}

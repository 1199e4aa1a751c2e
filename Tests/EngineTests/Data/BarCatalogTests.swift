import ATSEngine
import Foundation
import Testing

struct BarCatalogTests {
    @Test func roundTripsExactly() throws {
        let bars = SyntheticBars(seed: 77).generate(count: 10_000)
        let data = BarCatalog.encode(bars)
        #expect(data.count == 64 + 10_000 * 64)
        #expect(try BarLoader.parse(data, file: "x.atsb") == bars)
        // And from a file, detected by its magic.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID()).atsb").path
        _ = FileManager.default.createFile(atPath: path, contents: data)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try BarLoader.load(path: path) == bars)
    }

    @Test func refusesTruncatedAndForeignFiles() {
        let data = BarCatalog.encode(SyntheticBars(seed: 1).generate(count: 100))
        #expect(throws: DataError.self) { try BarCatalog.decode(data.prefix(data.count - 8), file: "t.atsb") }
        var wrongVersion = data
        wrongVersion[8] = 9
        do {
            _ = try BarCatalog.decode(wrongVersion, file: "v.atsb")
            Issue.record("a future version must be refused")
        } catch {
            #expect(error.reason.contains("version 9"))
        }
        #expect(throws: DataError.self) { try BarCatalog.decode(Data("time,open\n".utf8), file: "c.csv") }
    }
}

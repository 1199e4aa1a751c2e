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

    @Test func aMappedCatalogIsUsedInPlaceAndStaysAValue() throws {
        let bars = SyntheticBars(seed: 78).generate(count: 5_000)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID()).atsb").path
        _ = FileManager.default.createFile(atPath: path, contents: BarCatalog.encode(bars))
        defer { try? FileManager.default.removeItem(atPath: path) }

        var mapped = try BarLoader.load(path: path, inPlace: true)
        let columns = [mapped.open, mapped.high, mapped.low, mapped.close, mapped.volume, mapped.buyVolume]
        #expect(mapped.time.isInPlace && columns.allSatisfy(\.isInPlace) && mapped.sellVolume.isInPlace)
        #expect(mapped == bars)
        // The file may go: the mapping lives as long as the series.
        try FileManager.default.removeItem(atPath: path)
        #expect(mapped.close.reduce(0, +) == bars.close.reduce(0, +))

        // A mutation copies the column first; other copies keep the mapped values.
        let before = mapped
        mapped.close[7] = -1
        mapped.append(bars[0])
        #expect(!mapped.close.isInPlace && !mapped.high.isInPlace)
        #expect(mapped.close[7] == -1 && mapped.count == bars.count + 1)
        #expect(before.close.isInPlace && before == bars)

        // A backtest over the mapped columns gives the same fills and statistics as over arrays.
        let spec = BacktestRunTests.spec()
        func run(_ series: BarSeries) throws -> ([Fill], BacktestStatistics) {
            var session = try Registry.builtIn.makeSession(try Registry.builtIn.resolve(spec))
            session.run(series, until: series.count)
            return (session.takeFills(), session.statistics(barInterval: series.barInterval))
        }
        let (mappedFills, mappedStats) = try run(before)
        let (arrayFills, arrayStats) = try run(bars)
        #expect(mappedFills.count > 50 && mappedFills == arrayFills && mappedStats == arrayStats)
    }

    @Test func misalignedBytesAreCopiedNotUsedInPlace() throws {
        let bars = SyntheticBars(seed: 79).generate(count: 100)
        let shifted = (Data([0]) + BarCatalog.encode(bars)).dropFirst()
        let decoded = try BarCatalog.decode(shifted, file: "shifted.atsb", inPlace: true)
        #expect(!decoded.close.isInPlace && decoded == bars)
    }

    @Test func unreadableFilesAreNamedWithTheReason() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try BarLoader.load(path: dir + "/missing.atsb")
            Issue.record("a missing file has no bars")
        } catch let e as DataError {
            #expect(e.file.hasSuffix("missing.atsb") && e.reason.contains("No such file"))
        }
        do {
            _ = try BarLoader.load(path: dir)
            Issue.record("a directory is not a bar file")
        } catch let e as DataError {
            #expect(e.reason.contains("not a regular file"))
        }
        _ = FileManager.default.createFile(atPath: dir + "/empty.csv", contents: Data())
        do {
            _ = try BarLoader.load(path: dir + "/empty.csv")
            Issue.record("an empty file has no bars")
        } catch let e as DataError {
            #expect(e.reason.contains("no rows"))
        }
    }
}

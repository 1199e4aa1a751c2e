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

    /// Written from where the columns lie, the catalog is the same bytes as the one made in
    /// memory: for columns in arrays, and for a large CSV's columns in the reader's mapped block
    /// (its absent buy and sell volumes never written, read as zeros).
    @Test func writtenFromTheColumnsIsTheSameCatalog() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let synthetic = SyntheticBars(seed: 80).generate(count: 3_000)
        var csv = "timestamp,open,high,low,close,volume\n"
        for i in 0..<60_000 {
            let b = synthetic[i % synthetic.count]
            csv += "\(1_640_995_200_000 + Int64(i) * 60_000),\(b.open),\(b.high),\(b.low),\(b.close),\(b.volume)\n"
        }
        let parsed = try BarCSVReader.parse(Data(csv.utf8), file: "big.csv")
        #expect(parsed.close.isInPlace, "a file this large is parsed into the mapped block")
        for (name, bars) in [("arrays", synthetic), ("block", parsed), ("empty", BarSeries())] {
            let path = "\(dir)/\(name).atsb"
            try BarCatalog.write(bars, atomicallyTo: path)
            let written = try #require(FileManager.default.contents(atPath: path))
            #expect(written == BarCatalog.encode(bars), "\(name)")
            #expect(written.count == BarCatalog.size(bars: bars.count))
            if bars.count > 0 { #expect(try BarLoader.load(path: path) == bars, "\(name)") }
        }
        // Written again over a file a process has mapped: that process keeps the old bars, and
        // nothing is left beside the new file.
        let path = "\(dir)/arrays.atsb"
        let mapped = try BarLoader.load(path: path, inPlace: true)
        try BarCatalog.write(parsed, atomicallyTo: path)
        #expect(mapped == synthetic && mapped.close.isInPlace)
        #expect(try BarLoader.load(path: path) == parsed)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == [
                "arrays.atsb", "block.atsb", "empty.atsb",
            ])
        // A folder that cannot be written is named with the reason.
        do {
            try BarCatalog.write(synthetic, atomicallyTo: dir + "/missing/x.atsb")
            Issue.record("a missing folder cannot be written to")
        } catch {
            #expect(error.file.hasSuffix("missing/x.atsb") && error.reason.contains("No such file"))
        }
    }

    /// The layout the format documents, byte for byte, built here by hand: a change to it would
    /// change every registered data set's hash.
    @Test func theBytesAreTheDocumentedLayout() throws {
        var bars = BarSeries()
        for (i, close) in [100.5, 101.25, 99.75].enumerated() {
            bars.append(
                Bar(
                    time: 1_700_000_000_000 + Int64(i) * 60_000, open: close - 1, high: close + 2, low: close - 3,
                    close: close, volume: Double(i) + 0.5, buyVolume: 0.25, sellVolume: 0.125))
        }
        var expected = Array("ATSBARS1".utf8)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { expected += $0 } }
        append(UInt32(1))
        append(UInt32(0))
        append(UInt64(3))
        append(Int64(1_700_000_000_000))
        append(Int64(1_700_000_120_000))
        expected += [UInt8](repeating: 0, count: 24)
        for i in 0..<3 { append(bars.time[i]) }
        for column in [bars.open, bars.high, bars.low, bars.close, bars.volume, bars.buyVolume, bars.sellVolume] {
            for i in 0..<3 { append(column[i].bitPattern) }
        }
        #expect(Array(BarCatalog.encode(bars)) == expected)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID()).atsb").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try BarCatalog.write(bars, atomicallyTo: path)
        #expect(FileManager.default.contents(atPath: path).map(Array.init) == expected)
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

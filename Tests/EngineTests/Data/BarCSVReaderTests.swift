import Foundation
import Testing

@testable import ATSEngine

struct BarCSVReaderTests {
    func parse(_ text: String, format: BarFormat? = nil) throws -> BarSeries {
        try BarCSVReader.parse(Data(text.utf8), file: "bars.csv", format: format)
    }

    func error(_ text: String) -> DataError? {
        do {
            _ = try parse(text)
            return nil
        } catch let e as DataError {
            return e
        } catch {
            return nil
        }
    }

    @Test func readsTheSeedFormatByColumnName() throws {
        let bars = try parse(
            """
            time,open,high,low,close,volume,buy_volume,sell_volume
            2022-05-12 00:00:00+00:00,10,12,9,11,100,60,40
            2022-05-12 00:01:00+00:00,11,11.5,10.5,11.25,50.5,20.25,30.25
            """)
        #expect(bars.count == 2)
        #expect(bars.time == [1_652_313_600_000, 1_652_313_660_000])
        #expect(
            bars[1]
                == Bar(
                    time: 1_652_313_660_000, open: 11, high: 11.5, low: 10.5, close: 11.25, volume: 50.5,
                    buyVolume: 20.25, sellVolume: 30.25))
        // The seed read volumes one column off; we map by name.
        #expect(bars.buyVolume[0] == 60 && bars.sellVolume[0] == 40 && bars.volume[0] == 100)
    }

    @Test func readsColumnsInAnyOrderAndTimeZones() throws {
        let bars = try parse(
            """
            time,close,open,low,high,volume
            2022-05-12 02:00:00+02:00,11,10,9,12,1
            """)
        #expect(bars[0].time == 1_652_313_600_000)
        #expect(bars[0].open == 10 && bars[0].close == 11 && bars[0].high == 12)
    }

    @Test func readsPlainEpochMilliseconds() throws {
        let bars = try parse("timestamp,open,high,low,close,volume\r\n1000,1,2,0.5,1.5,3\r\n2000,1.5,2,1,1.75,4\r\n")
        #expect(bars.time == [1000, 2000])
        #expect(bars.close == [1.5, 1.75])
        #expect(bars.buyVolume == [0, 0])
    }

    @Test func readsBinanceKlinesInMillisecondsAndMicroseconds() throws {
        let ms = try parse(
            "1652313600000,29000.1,29100,28900,29050.5,12.5,1652313659999,362000.0,100,7.25,210000.0,0\n")
        #expect(ms[0].time == 1_652_313_600_000 && ms[0].close == 29050.5 && ms[0].buyVolume == 7.25)
        let us = try parse(
            "1735689600000000,1,2,0.5,1.5,3,1735689659999999,4.5,10,1,1.5,0\n")
        #expect(us[0].time == 1_735_689_600_000)
    }

    @Test func namesFileLineAndColumnOfABadNumber() throws {
        let e = try #require(
            error(
                """
                time,open,high,low,close,volume
                2022-05-12 00:00:00+00:00,10,12,9,11,100
                2022-05-12 00:01:00+00:00,10,12,abc,11,100
                """))
        #expect(e.file == "bars.csv" && e.line == 3 && e.column == 4)
        #expect(e.description.contains("low") && e.description.contains("abc"))
    }

    @Test func refusesWhatIsNotADecimalNumber() throws {
        for bad in ["0x10", "+-1", "-+1", "1.2.3", ".", "-", "+", "1e", "nan", "inf", "1_000", "12a"] {
            let e = error("timestamp,open,high,low,close,volume\n1,1,2,0.5,1.5,\(bad)\n")
            #expect(e?.line == 2 && e?.column == 6, "\(bad) was accepted")
        }
        let bars = try parse(
            "timestamp,open,high,low,close,volume\n1,+1.5,2,0.5,1.5,1e3\n2,1,2,0.5,1.5,12345678901234567890123\n")
        #expect(bars.open[0] == 1.5 && bars.volume[0] == 1000 && bars.volume[1] == Double("12345678901234567890123")!)
    }

    @Test func rejectsWrongFieldCountsBadTimesAndImpossibleBars() throws {
        let header = "time,open,high,low,close,volume\n"
        #expect(error(header + "2022-05-12 00:00:00+00:00,10,12,9,11\n")?.line == 2)
        #expect(error(header + "2022-13-12 00:00:00+00:00,10,12,9,11,1\n")?.column == 1)
        #expect(error(header + "2022-05-12 00:00:00+00:00,10,9,9,11,1\n")?.reason.contains("high") == true)
        #expect(error(header + "2022-05-12 00:00:00+00:00,10,12,9,11,-1\n")?.reason.contains("volume") == true)
        let outOfOrder = header + "2022-05-12 00:01:00+00:00,10,12,9,11,1\n2022-05-12 00:00:00+00:00,10,12,9,11,1\n"
        #expect(error(outOfOrder)?.line == 3)
        #expect(error("")?.reason.contains("no rows") == true)
        #expect(error(header)?.reason.contains("no bars") == true)
        #expect(error("open,high,low,close,volume\n1,2,0.5,1,1\n")?.reason.contains("time") == true)
    }

    @Test func numbersParseExactlyLikeTheStandardLibrary() throws {
        let samples = [
            "0.1", "123.456", "29050.12345678", "1e-3", "0.000001", "9007199254740993", "0.30000000000000004",
            "1234567890.123456789",
        ]
        for s in samples {
            let bars = try parse("timestamp,open,high,low,close,volume\n1,\(s),\(s),\(s),\(s),1\n")
            #expect(bars.open[0].bitPattern == Double(s)!.bitPattern, "\(s)")
        }
    }

    @Test func theOnePassPathAndTheGeneralPathAgreeBitForBit() throws {
        // Rows in the common shape take the one-pass scanner; a space after each comma sends the
        // same row through the general path. Both must give the same bars, bit for bit.
        var rng = SeededRandom(seed: 77)
        var shapes: [String] = [
            "0", "7", "0.5", "-0.0", "12.", ".25", "100.00544788", "29050.12345678", "0.000000001",
            "9007199254740992", "9007199254740993", "123456789012345678", "1234567890123456789",
            "0.1234567890123456789", "1e3", "2.5E-2", "+4.5", "00012.3400",
        ]
        for _ in 0..<300 { shapes.append(rng.decimalText(maxDigits: 21)) }
        let times = [
            "2022-01-01 00:00:00+00:00", "2022-01-01 00:01:00", "2022-01-01T00:02:00Z", "2022-01-01 00:03:00.250",
            "2022-01-01 02:04:00+02:00", "2022-01-01 00:05:00+0000", "2022-01-02 00:00:00-01:30",
        ]
        var rows: [String] = []
        for (k, shape) in shapes.enumerated() {
            let time = k < times.count ? times[k] : Timestamp.format(Int64(1_700_000_000_000 + k * 60_000))
            // high and low bracket any price so every row is a valid bar; volumes may be zero.
            let price = Double(shape)! >= 1e-7 ? shape : "1"
            rows.append("\(time),\(price),1e300,0.0000001,\(price),\(shape),0,\(shape)")
        }
        let header = "time,open,high,low,close,volume,buy_volume,sell_volume\n"
        let onePass = try parse(header + rows.joined(separator: "\n") + "\n")
        let general = try parse(
            header + rows.map { $0.replacingOccurrences(of: ",", with: ", ") }.joined(separator: "\r\n"))
        #expect(onePass.count == shapes.count)
        for column in [\BarSeries.open, \.high, \.low, \.close, \.volume, \.sellVolume] {
            for i in 0..<shapes.count {
                let a = onePass[keyPath: column][i]
                #expect(a.bitPattern == general[keyPath: column][i].bitPattern, "\(shapes[i])")
            }
        }
        for i in 0..<shapes.count {
            #expect(onePass.volume[i].bitPattern == Double(shapes[i])!.bitPattern, "\(shapes[i])")
        }
        #expect(onePass.time == general.time)
        #expect(onePass.time[4] == onePass.time[0] + 4 * 60_000)  // 02:04 at +02:00
        #expect(onePass.time[6] == onePass.time[0] + 86_400_000 + 5_400_000)
    }

    @Test func oddNeighboursOfDigitsAreJudgedAlikeByBothPaths() {
        // The two-word number reader judges each byte on its own: a point, a colon, a slash or a
        // byte above 0x7F next to digits must neither leak into the value nor be let through.
        let tokens = [
            "1:5", "12.3.4", "1/2", "12.\u{80}5", "9\u{FF}", "0.5e1", "1.25E-1", "-1.5", "12345678", "1234567.12345678",
            "1234567.123456789", ".", "..5", "5..", "0012.3400", "7.", ".7", "1 2", "12.3x", "\u{663}",
        ]
        let header = "time,open,high,low,close,volume\n"
        let tail = (0..<3).map { "2022-01-01 00:0\($0 + 1):00,1,2,0.5,1,1" }.joined(separator: "\n")
        for token in tokens {
            let row = "2022-01-01 00:00:00,1,2,0.5,1,\(token)"
            func outcome(_ text: String) -> String {
                do { return "\(try parse(text).volume[0].bitPattern)" } catch { return "\(error)" }
            }
            let onePass = outcome(header + row + "\n" + tail + "\n")
            let general = outcome(header + row.replacingOccurrences(of: ",", with: ", ") + "\n" + tail + "\n")
            #expect(onePass == general, "\(token)")
            if let value = Double(token), value >= 0, token.allSatisfy({ $0.isASCII }) {
                #expect(onePass == "\(value.bitPattern)", "\(token)")
            }
        }
    }

    @Test func bytesAboveASCIINextToDigitsAreNotDigits() {
        // 0xB5 and 0xB9 have a digit's low bits: a per-byte test that ignored the high bit would
        // read them as 5 and 9. In the time, the whole part and the fraction, in rows long enough
        // for the two-word readers; each must be refused exactly as the general path refuses it.
        let header = Array("timestamp,open,high,low,close,volume\n".utf8)
        let good = Array("1700000000000,100.25,101.5,99.75,100.5,12.125\n".utf8)
        let tail = (1...3).flatMap { Array("17000000\($0)0000,100.25,101.5,99.75,100.5,12.125\n".utf8) }
        for (column, bytes) in [
            (1, [0x31, 0x37, 0xB5, 0x30]), (2, [0x31, 0xB9, 0x30]), (2, [0x31, 0x2E, 0x32, 0xB5]),
        ] {
            var row = good
            let fields = row.split(separator: 44, omittingEmptySubsequences: false).map(Array.init)
            var changed = fields
            changed[column - 1] = bytes.map(UInt8.init)
            row = Array(changed.joined(separator: [44]))
            let data = Data(header + row + tail)
            do {
                let bars = try BarCSVReader.parse(data, file: "high.csv")
                Issue.record("accepted \(bytes): \(bars.time[0]) \(bars.open[0])")
            } catch {
                #expect(error.line == 2 && error.column == column, "\(error)")
            }
        }
    }

    @Test func filesWithMoreThanSixteenColumnsParseOnTheGeneralPath() throws {
        // A quoted value sends the row to the general path, which keeps every field's bounds.
        let extra = (0..<14).map { "c\($0)" }.joined(separator: ",")
        let values = (0..<14).map { "\($0)" }.joined(separator: ",")
        let text =
            "\(extra),timestamp,open,high,low,close,volume\n\(values),1000,\"1.5\",2,1,1.5,10\n\(values),2000,1.5,2,1,1.2,11\n"
        let bars = try parse(text)
        #expect(bars.count == 2 && bars.open[0] == 1.5 && bars.volume[1] == 11 && bars.time[1] == 2000)
    }

    @Test func writerAndReaderRoundTripExactly() throws {
        let bars = SyntheticBars(seed: 3).generate(count: 500)
        #expect(try parse(BarCSVWriter.csv(bars)) == bars)
        var plain = bars
        plain.buyVolume = BarColumn(repeating: 0, count: bars.count)
        plain.sellVolume = plain.buyVolume
        #expect(try parse(BarCSVWriter.csv(bars, format: .plain)) == plain)
    }

    @Test func synthIsDeterministic() {
        #expect(SyntheticBars(seed: 9).generate(count: 1000) == SyntheticBars(seed: 9).generate(count: 1000))
        #expect(SyntheticBars(seed: 9).generate(count: 100) != SyntheticBars(seed: 10).generate(count: 100))
    }
}

/// Files above `BarCSVReader.parallelThreshold` are parsed in chunks on all cores: the result and
/// the errors' line numbers must be exactly those of a sequential read.
struct ChunkedCSVTests {
    static let bars = SyntheticBars(seed: 8).generate(count: 120_000)
    static let text = BarCSVWriter.csv(bars)

    @Test func bigFilesParseIdenticallyInChunks() throws {
        #expect(Self.text.utf8.count > 2 * BarCSVReader.parallelThreshold, "large enough for two chunks")
        #expect(try BarCSVReader.parse(Data(Self.text.utf8), file: "big.csv") == Self.bars)
    }

    func error(_ text: String) -> DataError? {
        do {
            _ = try BarCSVReader.parse(Data(text.utf8), file: "big.csv")
            return nil
        } catch { return error }
    }

    @Test func errorsLateInTheFileNameTheirAbsoluteLine() throws {
        var lines = Self.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let target = 110_000  // line 110,001 of the file (header is line 1)
        lines[target] = lines[target].replacingOccurrences(
            of: ",", with: ",x", options: [], range: lines[target].range(of: ","))
        let e = try #require(error(lines.joined(separator: "\n")))
        #expect(e.line == target + 1 && e.column == 2, "\(e)")
    }

    @Test func blankLinesAnywhereLeaveTheSameBars() throws {
        // Each chunk writes its bars where its lines would start, so blank lines leave gaps that
        // must close; CRLF endings and a last line without one change nothing.
        var lines = Self.text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        for at in [100_000, 60_001, 60_000, 3, 1] { lines.insert("", at: at) }
        let series = try BarCSVReader.parse(Data(lines.joined(separator: "\r\n").utf8), file: "big.csv")
        #expect(series == Self.bars)
        let plain = try BarCSVReader.parse(Data(BarCSVWriter.csv(Self.bars, format: .plain).utf8), file: "big.csv")
        #expect(plain.close == Self.bars.close && plain.time == Self.bars.time)
        #expect(plain.buyVolume.allSatisfy { $0 == 0 } && plain.sellVolume.allSatisfy { $0 == 0 })
    }

    @Test func aFloodOfBlankLinesMakesNoRoomAndLosesNoBar() throws {
        // Six million blank lines (chunked), a bar among them and one at the end without a newline:
        // a chunk's room is bounded by what its bytes can hold, not by its lines.
        let blank = String(repeating: "\n", count: 3_000_000)
        let text =
            "timestamp,open,high,low,close,volume\n" + blank + "1000,1,2,0.5,1.5,10\n" + blank + "2000,1.5,2,1,1.2,11"
        let series = try BarCSVReader.parse(Data(text.utf8), file: "blank.csv")
        #expect(series.time.array == [1000, 2000] && series.close.array == [1.5, 1.2])
        do {
            _ = try BarCSVReader.parse(Data(("timestamp,open,high,low,close,volume\n" + blank).utf8), file: "blank.csv")
            Issue.record("a file of blank lines has no bars")
        } catch { #expect(error.reason.contains("no bars")) }
    }

    /// Parses `text` handing bars over as they become final; returns the series and each handover
    /// (its bars and the offset it says the parse has passed).
    func streamed(_ text: String) throws -> (BarSeries, [BarSeries], [Int]) {
        var handed: [BarSeries] = []
        var offsets: [Int] = []
        let series = try BarCSVReader.parse(Data(text.utf8), file: "big.csv") { bars, offset in
            handed.append(bars)
            offsets.append(offset)
        }
        return (series, handed, offsets)
    }

    @Test func barsHandedOverWhileTheRestParseAreTheSeriesFirstBars() throws {
        let (series, handed, offsets) = try streamed(Self.text)
        #expect(series == Self.bars)
        // Each handover's offset ends a row, and the rows before it are exactly its bars (this
        // file has a header and no blank line).
        let bytes = Array(Self.text.utf8)
        for (bars, offset) in zip(handed, offsets) {
            #expect(offset > 0 && offset <= bytes.count && bytes[offset - 1] == 10)
            #expect(bytes[..<offset].count(where: { $0 == 10 }) - 1 == bars.count)
        }
        // On one core the file parses in one piece and nothing is handed over early.
        if ProcessInfo.processInfo.activeProcessorCount > 1 {
            #expect(handed.count > 1, "\(handed.count) handovers")
        }
        var previous = 0
        for first in handed {
            #expect(first.count > previous && first.count <= series.count)
            #expect(first.time.array == Array(series.time.array.prefix(first.count)))
            #expect(first.close.array.map(\.bitPattern) == series.close.array.prefix(first.count).map(\.bitPattern))
            #expect(first.volume.array == Array(series.volume.array.prefix(first.count)))
            previous = first.count
        }
    }

    @Test func withNoThreadToBeHadTheCallersThreadParsesEveryChunk() throws {
        // The system refuses every thread: the read neither waits for them nor loses a chunk.
        try DetachedThread.$refused.withValue(true) {
            #expect(try BarCSVReader.parse(Data(Self.text.utf8), file: "big.csv") == Self.bars)
            let (series, handed, _) = try streamed(Self.text)
            #expect(series == Self.bars)
            #expect(handed.allSatisfy { $0.time.array == Array(series.time.array.prefix($0.count)) })
        }
    }

    @Test func handingOverStopsBeforeBlankLinesAndBadRows() throws {
        // A blank line leaves a gap the whole file must close: bars after it are not handed over
        // early, and the result is the same. A bad row late in the file still fails the read.
        var lines = Self.text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        lines.insert("", at: 90_000)
        let (series, handed, _) = try streamed(lines.joined(separator: "\n"))
        #expect(series == Self.bars)
        #expect(handed.allSatisfy { $0.count < 90_000 }, "\(handed.map(\.count))")
        lines.remove(at: 90_000)
        lines[100_000] = lines[100_000].replacingOccurrences(of: ",", with: ",x", options: [], range: nil)
        var handedBeforeTheError = 0
        do {
            _ = try BarCSVReader.parse(Data(lines.joined(separator: "\n").utf8), file: "big.csv") { bars, _ in
                handedBeforeTheError = bars.count
            }
            Issue.record("a bad row was accepted")
        } catch {
            #expect(error.line == 100_001 && error.column == 2, "\(error)")
        }
        #expect(handedBeforeTheError < 100_000)
    }

    @Test func linesAreCountedBlockByBlockExactly() {
        var rng = SeededRandom(seed: 5)
        let alphabet: [UInt8] = [10, 10, 13, 44, 48, 0x0B, 0x8A, 0xFF, 0x00, 0x09]
        for length in [0, 1, 7, 8, 9, 63, 64, 65, 127, 128, 129, 1000] {
            let bytes = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let expected = bytes.count(where: { $0 == 10 }) + (bytes.last.map { $0 == 10 ? 0 : 1 } ?? 0)
            bytes.withUnsafeBufferPointer { p in
                #expect(BarCSVReader.lineCount(p, from: 0, to: length) == expected, "\(length)")
            }
        }
    }

    @Test func blankLinesStillCount() throws {
        var lines = Self.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert("", at: 5)
        lines.insert("", at: 70_000)
        let bad = 100_000
        lines[bad] = "2022-01-01 00:00:00+00:00,1,2,0.5,1,1,0,0"  // goes back in time
        let e = try #require(error(lines.joined(separator: "\n")))
        #expect(e.line == bad + 1 && e.reason.contains("not after"), "\(e)")
    }
}

/// Which error a file reports does not depend on where it was cut into chunks.
struct ChunkBoundaryErrorTests {
    @Test func aBarGoingBackInTimeAtAChunksStartIsReportedBeforeABadRowLaterInThatChunk() throws {
        // The first bar of a chunk goes back in time and the same chunk has a bad row further on:
        // read in one piece the time is the first error, so it must be in chunks too, handed over
        // or not.
        let text = ChunkedCSVTests.text
        let bytes = Array(text.utf8)
        let header = bytes.firstIndex(of: 10)! + 1
        for streaming in [false, true] {
            let count = BarCSVReader.chunkCount(bytes: bytes.count - header, streaming: streaming)
            guard count > 1 else { continue }  // one core: one chunk
            let boundary = bytes.withUnsafeBufferPointer {
                BarCSVReader.chunkBounds($0, from: header, to: bytes.count, count: count)[1]
            }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let first = bytes[..<boundary].count(where: { $0 == 10 })  // the chunk's first line, from 0
            let previousTime = lines[first - 1].prefix { $0 != "," }
            lines[first] = String(previousTime + lines[first].drop { $0 != "," })
            // A bad row of the same length: the bytes, and so the chunks' bounds, do not move.
            var bad = Array(lines[first + 10])
            bad[bad.firstIndex(of: ",")! + 1] = "x"
            lines[first + 10] = String(bad)
            do {
                _ = try BarCSVReader.parse(
                    Data(lines.joined(separator: "\n").utf8), file: "big.csv", consume: streaming ? { _, _ in } : nil)
                Issue.record("accepted")
            } catch {
                #expect(error.line == first + 1 && error.reason.contains("not after"), "\(streaming): \(error)")
                // The bad row alone is reported where it is: the cut did not hide it.
                lines[first] =
                    ChunkedCSVTests.text.split(separator: "\n", omittingEmptySubsequences: false)[first]
                    .description
                do {
                    _ = try BarCSVReader.parse(Data(lines.joined(separator: "\n").utf8), file: "big.csv")
                    Issue.record("the bad row was accepted")
                } catch { #expect(error.line == first + 11 && error.column == 2, "\(error)") }
            }
        }
    }
}

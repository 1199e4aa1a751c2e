import Testing

@testable import ATSEngine

struct BarLineScannerTests {
    /// Numbers of every shape the readers meet: the common ones, and the ones each fast path must
    /// leave to another (signs, exponents, 8 digits before a point, 9 decimals, two points).
    static func shapes() -> [String] {
        var rng = SeededRandom(seed: 31)
        var shapes = [
            "0", "7", "0.5", "12.", ".25", "100.00544788", "1234567.12345678", "12345678", "12345678.5",
            "1.123456789", "-1.5", "+4.5", "1e3", "2.5E-2", "1.2.3", ".", "", "00012.3400", "99999999",
            "123456789", "1,5",
        ]
        for _ in 0..<400 { shapes.append(rng.decimalText(maxDigits: 17)) }
        return shapes
    }

    /// Every row scanned by both fast paths: where the separators' path answers, its bar (bit for
    /// bit) and next row are the one-pass path's; where the row is in the common shape, it answers.
    func agree(_ rows: [String], textTime: Bool, volumes: Int, common: (Int) -> Bool) {
        let fields = 6 + volumes
        let template = BarLineScanner(
            fields: fields, time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5,
            buyVolume: volumes > 0 ? 6 : nil, sellVolume: volumes > 1 ? 7 : nil, textTime: textTime)
        var answered = 0
        for (k, row) in rows.enumerated() {
            // Bytes before the row move it across the cursor's 64-byte blocks; the padding after
            // lets the cursor see its end.
            let bytes =
                Array(String(repeating: "x", count: k % 64).utf8) + Array(row.utf8) + Array(repeating: 0, count: 96)
            let start = k % 64
            bytes.withUnsafeBufferPointer { p in
                var separated = template
                var onePass = template
                var cursor = SeparatorCursor(p, at: start, end: bytes.count)
                let a = separated.scanSeparated(p, from: start, cursor: &cursor)
                let b = onePass.scan(p, from: start, to: bytes.count)
                if let (bar, next) = a {
                    answered += 1
                    #expect(b != nil, "\(row)")
                    if let (expected, expectedNext) = b {
                        #expect(next == expectedNext, "\(row)")
                        for (x, y) in zip(
                            [bar.open, bar.high, bar.low, bar.close, bar.volume, bar.buyVolume, bar.sellVolume],
                            [
                                expected.open, expected.high, expected.low, expected.close, expected.volume,
                                expected.buyVolume, expected.sellVolume,
                            ])
                        {
                            #expect(x.bitPattern == y.bitPattern, "\(row)")
                        }
                        #expect(bar.time == expected.time, "\(row)")
                    }
                    // The cursor stands at the next row: its next separator is past `next`.
                    #expect((cursor.next() ?? Int.max) >= next, "\(row)")
                } else {
                    #expect(!common(k), "the separators' path refused a common row: \(row)")
                }
            }
        }
        // Enough common rows that the path is exercised (each one is checked above to be answered).
        let commonRows = rows.indices.count(where: common)
        #expect(commonRows > rows.count / 10 && answered >= commonRows, "\(answered) answered, \(commonRows) common")
    }

    /// Whether a number is in the shape the separators' path reads: digits, at most 7 before a
    /// point and 8 after it (8 without one), at least one digit.
    static func common(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), parts.count <= 2, s != "." else {
            return false
        }
        return parts.count == 1 ? (1...8).contains(s.count) : parts[0].count <= 7 && parts[1].count <= 8
    }

    @Test func theSeparatorsPathAgreesWithTheOnePassPathOnPlainRows() {
        let shapes = Self.shapes()
        let times = ["1700000000000", "1700000000000123", "17000000000001234", "-1", "12a4", ""]
        var rows: [String] = []
        var commons: [Bool] = []
        for (k, shape) in shapes.enumerated() {
            let time = times[k % times.count]
            let ending = k % 5 == 0 ? "\r\n" : "\n"
            rows.append("\(time),\(shape),1e300,\(shape),\(shape),\(shape)\(ending)")
            // 1e300 is the one-pass path's too: the general reader's. Plain rows whose high is
            // 1e300 are not common; the same row with a common high is.
            commons.append(false)
            rows.append("\(time),\(shape),99999.5,\(shape),\(shape),\(shape)\(ending)")
            commons.append(k % times.count < 2 && Self.common(shape))
        }
        agree(rows, textTime: false, volumes: 0) { commons[$0] }
    }

    @Test func theSeparatorsPathAgreesWithTheOnePassPathOnTheSeedsRows() {
        let shapes = Self.shapes()
        let times = [
            "2022-01-01 00:00:00+00:00", "2022-01-01 00:01:00", "2022-01-01T00:02:00Z", "2022-01-01 00:03:00.250",
            "2022-01-01 02:04:00+02:00", "2022-01-01 00:05:00+0000", "2022-13-01 00:00:00",
        ]
        var rows: [String] = []
        var commons: [Bool] = []
        for (k, shape) in shapes.enumerated() {
            let time = times[k % times.count]
            rows.append("\(time),\(shape),12.5,\(shape),\(shape),\(shape),\(shape),0.5\n")
            commons.append(k % times.count < 5 && Self.common(shape))
        }
        agree(rows, textTime: true, volumes: 2) { commons[$0] }
    }

    @Test func rowsWithMoreOrFewerFieldsAreLeftToTheGeneralPath() {
        let template = BarLineScanner(
            fields: 6, time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5, buyVolume: nil, sellVolume: nil,
            textTime: false)
        for row in [
            "1000,1,2,0.5,1.5,10,3\n", "1000,1,2,0.5,1.5\n", "1000,1,2,0.5,1.5,10\r,\n", "1000,1,2,0.5,1.5,10\r\r\n",
        ] {
            let bytes = Array(row.utf8) + Array(repeating: 0, count: 96)
            bytes.withUnsafeBufferPointer { p in
                var scanner = template
                var cursor = SeparatorCursor(p, at: 0, end: bytes.count)
                #expect(scanner.scanSeparated(p, from: 0, cursor: &cursor) == nil, "\(row)")
            }
        }
    }
}

import CPlatform
import Foundation

/// Reads bars from CSV in the seed's format, the plain epoch-millisecond format or Binance kline
/// format, detected from the first line. Any malformed value stops the read with a ``DataError``
/// naming file, line and column: a run never starts on a partial file.
public enum BarCSVReader {
    /// Reads a file. `format` nil means detect.
    public static func read(path: String, format: BarFormat? = nil) throws -> BarSeries {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(file: path, line: 0, column: 0, reason: "cannot read the file")
        }
        return try parse(data, file: path, format: format)
    }

    /// Parses CSV bytes; `file` names the source in errors.
    ///
    /// With `consume`, a large file's bars are handed over as they become final, while the rest
    /// still parse: each call, on the caller's thread, gets the series' first bars (more with each
    /// call), which will be the returned series' first bars, and the offset below which every
    /// byte has been parsed. A run can start on them (`ats backtest` runs the strategy there,
    /// between chunks, on the core that would otherwise wait for the last chunks, and hashes the
    /// bytes the parse has just read). Nothing is handed over past a chunk whose blank lines left
    /// a gap, a chunk that failed, or a chunk whose first bar goes back in time; a file that fails
    /// still throws, after whatever `consume` was given.
    public static func parse(
        _ data: Data, file: String, format: BarFormat? = nil, consume: ((BarSeries, Int) -> Void)? = nil
    ) throws(DataError) -> BarSeries {
        var result: Result<BarSeries, DataError> = .success(BarSeries())
        data.withUnsafeBytes { raw in
            let p = raw.bindMemory(to: UInt8.self)
            result = Result { () throws(DataError) -> BarSeries in
                try parse(p, file: file, format: format, consume: consume)
            }
        }
        return try result.get()
    }

    private struct Layout: Sendable {
        var time = 0
        var open = 1
        var high = 2
        var low = 3
        var close = 4
        var volume = 5
        var buyVolume: Int?
        var sellVolume: Int?
        var fields = 6
        /// Whether time is text (the seed) or an integer (ms, or µs for Binance since 2025).
        var textTime = false
        var hasHeader = true
    }

    static func parse(
        _ p: UnsafeBufferPointer<UInt8>, file: String, format: BarFormat?,
        consume: ((BarSeries, Int) -> Void)? = nil
    ) throws(DataError) -> BarSeries {
        var lineStart = 0
        var lineNumber = 0
        let n = p.count
        // First non-empty line decides the layout.
        func lineEnd(from s: Int) -> Int {
            var e = s
            while e < n && p[e] != 10 { e += 1 }
            return e
        }
        var firstEnd = lineEnd(from: 0)
        if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { lineStart = 3 }
        while lineStart < n && firstEnd == lineStart {
            lineStart = firstEnd + 1
            firstEnd = lineEnd(from: lineStart)
            lineNumber += 1
        }
        guard lineStart < n else { throw DataError(file: file, line: 0, column: 0, reason: "the file has no rows") }
        let firstLine = String(decoding: UnsafeBufferPointer(rebasing: p[lineStart..<firstEnd]), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let layout = try detect(firstLine, file: file, line: lineNumber + 1, format: format)
        if layout.hasHeader {
            lineStart = firstEnd + 1
            lineNumber += 1
        }

        return try parseRows(
            p, from: lineStart, to: n, layout: layout, file: file, linesBefore: lineNumber, consume: consume)
    }

    /// Files above this are parsed in chunks on every core.
    public static let parallelThreshold = 4 << 20

    /// What the parsing threads share: the file's bytes (read only), the block the bars go to, and
    /// one slot per chunk for its line count and one for its outcome. No lock: each chunk's slots
    /// and rows are written by its thread alone, and read only after that thread has said the
    /// chunk is done (``ChunkQueue``) or every thread has finished.
    private struct ChunkBuffers: @unchecked Sendable {
        let input: UnsafeBufferPointer<UInt8>
        let bounds: [Int]
        let lines: UnsafeMutableBufferPointer<Int>
        let output: UnsafeMutableBufferPointer<Chunk?>
    }

    /// One chunk's outcome: how many bars it wrote, the lines it spans, the local line of its
    /// first bar, its first and last bars' times, and the error that stopped it, if one did (the
    /// bars before the error are counted: whether its first bar goes back in time decides which
    /// error the file reports first, however the file was cut into chunks).
    private struct Chunk {
        var rows: Int
        var lines: Int
        var firstBarLine: Int
        var firstTime: Int64
        var lastTime: Int64
        var failure: DataError?
    }

    /// Parses the data rows in `start..<end`, in chunks on all cores for large files, straight
    /// into the series' columns: each chunk's room is counted first (its lines, bounded by what
    /// its bytes can hold), so each chunk knows where its first bar goes. Line numbers in errors count from
    /// the file's first line (`linesBefore` lines precede `start`).
    /// With `consume`, chunks are smaller than a thread's share and handed over as they become
    /// final (see ``parse(_:file:format:consume:)``).
    private static func parseRows(
        _ p: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, layout: Layout, file: String, linesBefore: Int,
        consume: ((BarSeries, Int) -> Void)?
    ) throws(DataError) -> BarSeries {
        // Handing bars over early needs chunks that end early: eight a thread.
        let threads = Self.threads(bytes: end - start)
        let chunkCount = Self.chunkCount(bytes: end - start, streaming: consume != nil)
        let streaming = chunkCount > threads
        let bounds = chunkBounds(p, from: start, to: end, count: chunkCount)
        let lines = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunkCount)
        let output = UnsafeMutableBufferPointer<Chunk?>.allocate(capacity: chunkCount)
        lines.initialize(repeating: 0)
        output.initialize(repeating: nil)
        defer {
            lines.deallocate()
            _ = output.deinitialize()
            output.deallocate()
        }
        let shared = ChunkBuffers(input: p, bounds: bounds, lines: lines, output: output)
        // A chunk's bars are at most its lines, and at most what its bytes can hold: a bar is at
        // least one character for each field read (the others may be empty), a comma between
        // fields and a newline. Blank lines, however many, add no room.
        let read = 6 + (layout.buyVolume != nil ? 1 : 0) + (layout.sellVolume != nil ? 1 : 0)
        let shortestRow = read + layout.fields
        inParallel(ChunkQueue(count: chunkCount), threads: threads) { k in
            let (from, to) = (shared.bounds[k], shared.bounds[k + 1])
            shared.lines[k] = min(lineCount(shared.input, from: from, to: to), (to - from + 1) / shortestRow)
        }
        var offsets = [0]
        for k in 0..<chunkCount { offsets.append(offsets[k] + lines[k]) }
        let block = try ColumnBlock(rows: offsets[chunkCount], file: file)
        block.readAbsentAsZeros(buyVolume: layout.buyVolume != nil, sellVolume: layout.sellVolume != nil)
        let firstRows = offsets
        let queue = ChunkQueue(count: chunkCount)
        let parse: @Sendable (Int) -> Void = { k in
            shared.output[k] = parseChunk(
                shared.input, from: shared.bounds[k], to: shared.bounds[k + 1], layout: layout, file: file,
                into: block, at: firstRows[k], capacity: shared.lines[k])
            queue.finish(k)
        }
        if let consume, streaming {
            // This thread hands over each chunk's bars as soon as they and all before them are
            // final, and parses a chunk itself whenever none is ready.
            inParallel(queue, threads: threads, parse) {
                var handed = 0
                var handing = true
                var lastTime: Int64?
                while true {
                    while handing, handed < chunkCount, queue.isDone(handed) {
                        let chunk = output[handed]!
                        guard chunk.failure == nil, chunk.rows == lines[handed],
                            chunk.rows == 0 || lastTime.map({ chunk.firstTime > $0 }) ?? true
                        else {
                            handing = false  // gaps, a failure, or time going back: the whole file decides
                            break
                        }
                        if chunk.rows > 0 {
                            lastTime = chunk.lastTime
                            consume(block.series(count: offsets[handed] + chunk.rows), bounds[handed + 1])
                        }
                        handed += 1
                    }
                    if let k = queue.claim() {
                        parse(k)
                    } else if queue.allDone {
                        break
                    } else {
                        queue.waitForAFinish()
                    }
                }
            }
        } else {
            inParallel(queue, threads: threads, parse)
        }
        var count = 0
        var linesSoFar = linesBefore
        var lastTime: Int64?
        for k in 0..<chunkCount {
            let chunk = output[k]!
            if chunk.rows > 0, let lastTime, chunk.firstTime <= lastTime {
                throw DataError(
                    file: file, line: linesSoFar + chunk.firstBarLine, column: layout.time + 1,
                    reason: "time \(Timestamp.format(chunk.firstTime)) is not after the previous bar's")
            }
            if var e = chunk.failure {
                if e.line > 0 { e.line += linesSoFar }
                throw e
            }
            if chunk.rows > 0 {
                // Blank lines left a gap before this chunk's bars: close it (the columns the file
                // has; the others are zero throughout).
                if offsets[k] != count {
                    block.move(
                        from: offsets[k], count: chunk.rows, to: count, buyVolume: layout.buyVolume != nil,
                        sellVolume: layout.sellVolume != nil)
                }
                count += chunk.rows
                lastTime = chunk.lastTime
            }
            linesSoFar += chunk.lines
        }
        guard count > 0 else { throw DataError(file: file, line: 0, column: 0, reason: "the file has no bars") }
        return block.series(count: count)
    }

    /// Where `count` chunks of `p[start..<end]` start (and, last, `end`): equal shares of the
    /// bytes, each moved on to a line's start.
    static func chunkBounds(_ p: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, count: Int) -> [Int] {
        var bounds = [start]
        for k in 1..<max(count, 1) {
            var b = max(bounds[k - 1], start + (end - start) * k / count)
            while b < end && p[b - 1] != 10 { b += 1 }
            bounds.append(b)
        }
        bounds.append(end)
        return bounds
    }

    /// The threads that parse a file of `bytes` data bytes.
    static func threads(bytes: Int) -> Int {
        bytes > parallelThreshold ? max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) : 1
    }

    /// The chunks a file of `bytes` data bytes is cut into (`streaming`: for a `consume`r, eight a
    /// thread, so that bars can be handed over early).
    static func chunkCount(bytes: Int, streaming: Bool) -> Int {
        let threads = threads(bytes: bytes)
        return streaming && threads > 1 ? threads * 8 : threads
    }

    /// Runs `body` for every chunk `queue` hands out, on `threads` threads, the caller's among
    /// them: dedicated threads, because the shared pools may be busy (hashing, other jobs) and
    /// would run the chunks one after another. The caller's thread runs `caller` (by default it
    /// takes chunks like the others; it must leave none unclaimed), then waits for the others.
    /// Threads the system refuses are not waited for: the caller's takes their chunks.
    private static func inParallel(
        _ queue: ChunkQueue, threads: Int, _ body: @escaping @Sendable (Int) -> Void, caller: (() -> Void)? = nil
    ) {
        let done = DispatchSemaphore(value: 0)
        var started = 0
        for _ in 1..<max(min(threads, queue.count), 1) {
            let helper = DetachedThread.start {
                while let k = queue.claim() { body(k) }
                done.signal()
            }
            if helper { started += 1 }
        }
        if let caller {
            caller()
        } else {
            while let k = queue.claim() { body(k) }
        }
        for _ in 0..<started { done.wait() }
    }

    /// The lines in `p[start..<end]`: its newlines, plus one for a last line without one. 64
    /// bytes at a time by wide compares (``ats_newlines64``), the last few one by one.
    public static func lineCount(_ p: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        guard end > start else { return 0 }
        let base = UnsafeRawPointer(p.baseAddress!)
        var count = 0
        var i = start
        while i + 64 <= end {
            count += ats_newlines64(base + i).nonzeroBitCount
            i += 64
        }
        while i < end {
            if p[i] == 10 { count += 1 }
            i += 1
        }
        return p[end - 1] == 10 ? count : count + 1
    }

    /// Parses the rows of one chunk; line numbers in its errors are local (1 = its first line).
    /// Its bars go to `block`'s rows from `first`, at most `capacity` of them.
    private static func parseChunk(
        _ p: UnsafeBufferPointer<UInt8>, from start: Int, to n: Int, layout: Layout, file: String,
        into block: ColumnBlock, at first: Int, capacity: Int
    ) -> Chunk {
        var lineStart = start
        var lineNumber = 0
        var firstBarLine = 0
        var row = first
        let end = first + capacity
        // Rows below this have their pages mapped (a window at a time, as the bars arrive).
        var populated = first
        let buyVolume = layout.buyVolume != nil
        let sellVolume = layout.sellVolume != nil
        // Field boundaries of the current line. Raw pointers, not arrays: the nested helpers below
        // capture them, and captured mutable arrays would pay a dynamic exclusivity check per use.
        let slots = max(16, layout.fields)
        let fieldStart = UnsafeMutablePointer<Int>.allocate(capacity: slots)
        let fieldEnd = UnsafeMutablePointer<Int>.allocate(capacity: slots)
        fieldStart.initialize(repeating: 0, count: slots)
        fieldEnd.initialize(repeating: 0, count: slots)
        defer {
            fieldStart.deallocate()
            fieldEnd.deallocate()
        }
        var previousTime = Int64.min
        var scanner = BarLineScanner(
            fields: layout.fields, time: layout.time, open: layout.open, high: layout.high, low: layout.low,
            close: layout.close, volume: layout.volume, buyVolume: layout.buyVolume, sellVolume: layout.sellVolume,
            textTime: layout.textTime)
        let separators = scanner.usesSeparators
        var cursor = SeparatorCursor(p, at: separators ? lineStart : n, end: n)
        var failure: DataError?
        do throws(DataError) {
            while lineStart < n {
                lineNumber += 1
                // Most rows take the separators' path, a chunk's last few the one-pass path, and any
                // other shape (and every error) the general one below.
                let separated = separators ? scanner.scanSeparated(p, from: lineStart, cursor: &cursor) : nil
                if let (bar, next) = separated ?? scanner.scan(p, from: lineStart, to: n), isSane(bar),
                    bar.time > previousTime
                {
                    previousTime = bar.time
                    if firstBarLine == 0 { firstBarLine = lineNumber }
                    guard row < end else { throw changedWhileRead(file) }
                    if row >= populated { populated = block.populate(from: row, below: end, buyVolume, sellVolume) }
                    block.write(bar, at: row, buyVolume: buyVolume, sellVolume: sellVolume)
                    row += 1
                    lineStart = next
                    if separated == nil && separators { cursor.reset(at: next) }  // else it stands there
                    continue
                }
                // The general path: the cursor goes on from wherever the next row starts.
                defer { if separators { cursor.reset(at: lineStart) } }
                var e = lineStart
                var count = 0
                var s = lineStart
                while e < n && p[e] != 10 {
                    if p[e] == 44 {
                        if count < slots {
                            fieldStart[count] = s
                            fieldEnd[count] = e
                        }
                        count += 1
                        s = e + 1
                    }
                    e += 1
                }
                var lineEndIndex = e
                if lineEndIndex > lineStart && p[lineEndIndex - 1] == 13 { lineEndIndex -= 1 }
                if lineEndIndex == lineStart {  // blank line
                    lineStart = e + 1
                    continue
                }
                if count < slots {
                    fieldStart[count] = s
                    fieldEnd[count] = lineEndIndex
                }
                count += 1
                guard count == layout.fields else {
                    throw DataError(
                        file: file, line: lineNumber, column: 0,
                        reason: "expected \(layout.fields) fields, found \(count)")
                }
                func field(_ k: Int) -> (Int, Int) {
                    var a = fieldStart[k]
                    var b = fieldEnd[k]
                    while a < b && (p[a] == 32 || p[a] == 34) { a += 1 }
                    while b > a && (p[b - 1] == 32 || p[b - 1] == 34) { b -= 1 }
                    return (a, b)
                }
                func number(_ k: Int, _ name: String) throws(DataError) -> Double {
                    let (a, b) = field(k)
                    guard let v = FastNumber.double(p, a, b) else {
                        let text = String(decoding: UnsafeBufferPointer(rebasing: p[a..<b]), as: UTF8.self)
                        throw DataError(
                            file: file, line: lineNumber, column: k + 1,
                            reason: "\(name): expected a number, got \(DataError.excerpt(text[...]))")
                    }
                    return v
                }
                let (ta, tb) = field(layout.time)
                var time: Int64
                if layout.textTime {
                    guard let t = Timestamp.parse(p, ta, tb) else {
                        let text = String(decoding: UnsafeBufferPointer(rebasing: p[ta..<tb]), as: UTF8.self)
                        throw DataError(
                            file: file, line: lineNumber, column: layout.time + 1,
                            reason: "time: expected YYYY-MM-DD HH:MM:SS+HH:MM, got \(DataError.excerpt(text[...]))")
                    }
                    time = t
                } else {
                    guard let t = FastNumber.int64(p, ta, tb) else {
                        let text = String(decoding: UnsafeBufferPointer(rebasing: p[ta..<tb]), as: UTF8.self)
                        throw DataError(
                            file: file, line: lineNumber, column: layout.time + 1,
                            reason: "time: expected epoch milliseconds, got \(DataError.excerpt(text[...]))")
                    }
                    time = t >= 100_000_000_000_000 ? t / 1000 : t  // Binance since 2025: microseconds
                }
                let bar = Bar(
                    time: time, open: try number(layout.open, "open"), high: try number(layout.high, "high"),
                    low: try number(layout.low, "low"), close: try number(layout.close, "close"),
                    volume: try number(layout.volume, "volume"),
                    buyVolume: try layout.buyVolume.map { (k) throws(DataError) in try number(k, "buy_volume") } ?? 0,
                    sellVolume: try layout.sellVolume.map { (k) throws(DataError) in try number(k, "sell_volume") } ?? 0
                )
                if let problem = check(bar) {
                    throw DataError(file: file, line: lineNumber, column: problem.column, reason: problem.reason)
                }
                guard time > previousTime else {
                    throw DataError(
                        file: file, line: lineNumber, column: layout.time + 1,
                        reason: "time \(Timestamp.format(time)) is not after the previous bar's")
                }
                previousTime = time
                if firstBarLine == 0 { firstBarLine = lineNumber }
                guard row < end else { throw changedWhileRead(file) }
                if row >= populated { populated = block.populate(from: row, below: end, buyVolume, sellVolume) }
                block.write(bar, at: row, buyVolume: buyVolume, sellVolume: sellVolume)
                row += 1
                lineStart = e + 1
            }
        } catch {
            failure = error
        }
        return Chunk(
            rows: row - first, lines: lineNumber, firstBarLine: firstBarLine,
            firstTime: row > first ? block.column(0, as: Int64.self)[first] : 0, lastTime: previousTime,
            failure: failure)
    }

    /// A chunk held more bars than its lines: the file changed between the two passes.
    private static func changedWhileRead(_ file: String) -> DataError {
        DataError(file: file, line: 0, column: 0, reason: "the file changed while it was read")
    }

    /// Whether ``check(_:)`` finds nothing wrong, without building its reason.
    @inline(__always)
    private static func isSane(_ b: Bar) -> Bool {
        b.low > 0 && !(b.high < max(b.open, b.close, b.low)) && !(b.low > min(b.open, b.close))
            && !(b.volume < 0) && !(b.buyVolume < 0 || b.sellVolume < 0)
    }

    /// Price sanity: positive, high the highest and low the lowest; volumes not negative.
    private static func check(_ b: Bar) -> (column: Int, reason: String)? {
        if !(b.low > 0) { return (4, "low must be positive, got \(b.low)") }
        if b.high < max(b.open, b.close, b.low) { return (3, "high \(b.high) is below open, close or low") }
        if b.low > min(b.open, b.close) { return (4, "low \(b.low) is above open or close") }
        if b.volume < 0 { return (6, "volume must not be negative, got \(b.volume)") }
        if b.buyVolume < 0 || b.sellVolume < 0 { return (7, "buy and sell volumes must not be negative") }
        return nil
    }

    private static func detect(_ header: String, file: String, line: Int, format: BarFormat?) throws(DataError)
        -> Layout
    {
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")).lowercased()
        }
        let startsWithDigit = header.first.map { $0.isNumber } ?? false
        if format == .binance || (format == nil && startsWithDigit && columns.count >= 11) {
            guard columns.count == 12 || columns.count == 11 else {
                throw DataError(
                    file: file, line: line, column: 0, reason: "Binance klines have 12 fields, found \(columns.count)")
            }
            var l = Layout()
            l.fields = columns.count
            l.buyVolume = 9
            l.hasHeader = !startsWithDigit
            return l
        }
        guard !startsWithDigit else {
            throw DataError(
                file: file, line: line, column: 0,
                reason:
                    "expected a header (time,open,high,low,close,volume[,buy_volume,sell_volume]) or a Binance kline row"
            )
        }
        var l = Layout()
        l.fields = columns.count
        func index(_ names: [String]) -> Int? { columns.firstIndex { names.contains($0) } }
        guard let time = index(["time", "timestamp", "datetime", "date", "open_time"]) else {
            throw DataError(
                file: file, line: line, column: 0, reason: "no time column (time or timestamp) in the header")
        }
        l.time = time
        for (name, keyPath) in [
            ("open", \Layout.open), ("high", \.high), ("low", \.low), ("close", \.close), ("volume", \.volume),
        ] {
            guard let k = index([name]) else {
                throw DataError(file: file, line: line, column: 0, reason: "no \(name) column in the header")
            }
            l[keyPath: keyPath] = k
        }
        l.buyVolume = index(["buy_volume", "taker_buy_volume"])
        l.sellVolume = index(["sell_volume", "taker_sell_volume"])
        l.textTime = columns[time] != "timestamp" && columns[time] != "open_time"
        if format == .plain { l.textTime = false }
        if format == .seed { l.textTime = true }
        return l
    }
}

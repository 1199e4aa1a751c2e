/// The fast path of ``BarCSVReader``: one pass over a well-formed row, every field parsed where
/// it stands, straight into a ``Bar``. It recognises the common shape only (no quotes or spaces,
/// plain decimals, the usual time formats); for anything else it returns nil and the reader's
/// general path parses the row, with the same arithmetic (so the same values, bit for bit), and
/// words the error if there is one.
struct BarLineScanner {
    enum Role: UInt8 { case skip, time, open, high, low, close, volume, buyVolume, sellVolume }

    private let roles: [Role]
    private let textTime: Bool
    /// With the columns in the usual order (time, open, high, low, close, volume, then buy and
    /// sell volume where there are), how many volumes follow the volume; nil for any other order.
    private let canonicalVolumes: Int?
    /// The date part (`YYYY-MM-DD`) of the last text time and its day number: a day's rows share it.
    private var cachedDate: (UInt64, UInt16) = (0, 0)
    private var cachedDays = 0
    private var hasCachedDate = false

    init(
        fields: Int, time: Int, open: Int, high: Int, low: Int, close: Int, volume: Int, buyVolume: Int?,
        sellVolume: Int?, textTime: Bool
    ) {
        var roles = [Role](repeating: .skip, count: fields)
        roles[time] = .time
        roles[open] = .open
        roles[high] = .high
        roles[low] = .low
        roles[close] = .close
        roles[volume] = .volume
        if let k = buyVolume { roles[k] = .buyVolume }
        if let k = sellVolume { roles[k] = .sellVolume }
        self.roles = roles
        self.textTime = textTime
        let canonical: [Role] = [.time, .open, .high, .low, .close, .volume, .buyVolume, .sellVolume]
        canonicalVolumes =
            roles.count >= 6 && roles == Array(canonical.prefix(roles.count)) ? roles.count - 6 : nil
    }

    /// Scans the row starting at `start`; returns its bar and where the next row starts, or nil
    /// when the row is not in the common shape (or not well formed).
    mutating func scan(_ p: UnsafeBufferPointer<UInt8>, from start: Int, to n: Int) -> (Bar, Int)? {
        var i = start
        if let volumes = canonicalVolumes {
            // time,open,high,low,close,volume[,buy[,sell]]: straight-line code, no role to look up.
            guard let time = time(p, &i, n), Self.comma(p, &i, n), let open = Self.value(p, &i, n),
                Self.comma(p, &i, n), let high = Self.value(p, &i, n), Self.comma(p, &i, n),
                let low = Self.value(p, &i, n), Self.comma(p, &i, n), let close = Self.value(p, &i, n),
                Self.comma(p, &i, n), let volume = Self.value(p, &i, n)
            else { return nil }
            var bar = Bar(time: time, open: open, high: high, low: low, close: close, volume: volume)
            if volumes > 0 {
                guard Self.comma(p, &i, n), let v = Self.value(p, &i, n) else { return nil }
                bar.buyVolume = v
                if volumes > 1 {
                    guard Self.comma(p, &i, n), let v = Self.value(p, &i, n) else { return nil }
                    bar.sellVolume = v
                }
            }
            return Self.rowEnd(p, i, n).map { (bar, $0) }
        }
        var bar = Bar(time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0)
        let last = roles.count - 1
        for k in 0...last {
            switch roles[k] {
            case .skip:
                while i < n, p[i] != 44, p[i] != 10, p[i] != 13 { i += 1 }
            case .time:
                guard let t = time(p, &i, n) else { return nil }
                bar.time = t
            case let role:
                guard let value = Self.value(p, &i, n) else { return nil }
                switch role {
                case .open: bar.open = value
                case .high: bar.high = value
                case .low: bar.low = value
                case .close: bar.close = value
                case .volume: bar.volume = value
                case .buyVolume: bar.buyVolume = value
                default: bar.sellVolume = value
                }
            }
            if k < last {
                guard Self.comma(p, &i, n) else { return nil }
            }
        }
        return Self.rowEnd(p, i, n).map { (bar, $0) }
    }

    /// ``scan(_:from:to:)`` for rows in the usual column order, with every field's end found
    /// first by `cursor` (standing at `start`): the fields' parses then do not wait on one
    /// another. Returns the bar and where the next row starts, the cursor there too; nil where
    /// the row is not in the common shape or the cursor cannot see its end, the cursor then
    /// anywhere in the row (the caller moves it to the next row it reads).
    @inline(__always)
    mutating func scanSeparated(
        _ p: UnsafeBufferPointer<UInt8>, from start: Int, cursor: inout SeparatorCursor
    ) -> (Bar, Int)? {
        guard let volumes = canonicalVolumes, let e0 = cursor.next(), let e1 = cursor.next(),
            let e2 = cursor.next(), let e3 = cursor.next(), let e4 = cursor.next(), var last = cursor.next(),
            p[e0] == 44, p[e1] == 44, p[e2] == 44, p[e3] == 44
        else { return nil }
        let time: Int64
        if textTime {
            guard let t = textTime(p, start, e0) else { return nil }
            time = t
        } else {
            guard let t = FastNumber.boundedInteger(p, start, e0) else { return nil }
            time = t < 100_000_000_000_000 ? t : t / 1000  // Binance since 2025: µs
        }
        guard let open = FastNumber.bounded(p, e0 + 1, e1), let high = FastNumber.bounded(p, e1 + 1, e2),
            let low = FastNumber.bounded(p, e2 + 1, e3), let close = FastNumber.bounded(p, e3 + 1, e4),
            p[e4] == 44, let volume = FastNumber.bounded(p, e4 + 1, last)
        else { return nil }
        var bar = Bar(time: time, open: open, high: high, low: low, close: close, volume: volume)
        if volumes > 0 {
            guard p[last] == 44, let e6 = cursor.next(), let v = FastNumber.bounded(p, last + 1, e6) else {
                return nil
            }
            bar.buyVolume = v
            last = e6
            if volumes > 1 {
                guard p[last] == 44, let e7 = cursor.next(), let v = FastNumber.bounded(p, last + 1, e7) else {
                    return nil
                }
                bar.sellVolume = v
                last = e7
            }
        }
        if p[last] == 13 {
            guard let newline = cursor.next(), newline == last + 1 else { return nil }
            last = newline
        }
        guard p[last] == 10 else { return nil }
        return (bar, last + 1)
    }

    /// Whether rows are in the usual column order, which ``scanSeparated(_:from:cursor:)`` reads
    /// (for any other, a cursor would only cost).
    var usesSeparators: Bool { canonicalVolumes != nil }

    /// Steps over the comma at `i`, or false when there is none.
    @inline(__always)
    private static func comma(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ n: Int) -> Bool {
        guard i < n, p[i] == 44 else { return false }
        i += 1
        return true
    }

    /// Where the next row starts when the row ends at `i` (end of input, LF or CRLF), else nil.
    @inline(__always)
    private static func rowEnd(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int) -> Int? {
        var i = i
        if i == n { return n }
        if p[i] == 13 {
            i += 1
            if i == n { return n }
        }
        guard p[i] == 10 else { return nil }
        return i + 1
    }

    /// The bar's time at `i` (epoch ms, µs or text, as the layout says), moving `i` past it.
    @inline(__always)
    private mutating func time(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ n: Int) -> Int64? {
        if !textTime, i + 24 <= n, let (t, e) = FastNumber.shortInteger(p, i) {
            i = e
            return t < 100_000_000_000_000 ? t : t / 1000  // Binance since 2025: µs
        }
        var e = i
        while e < n, p[e] != 44, p[e] != 10, p[e] != 13 { e += 1 }
        guard let t = textTime ? textTime(p, i, e) : FastNumber.int64(p, i, e) else { return nil }
        i = e
        return textTime || t < 100_000_000_000_000 ? t : t / 1000  // Binance since 2025: µs
    }

    /// A price or volume at `i`, moving `i` past it: the two-word reader for the common shape,
    /// the general decimal reader otherwise.
    @inline(__always)
    private static func value(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ n: Int) -> Double? {
        if i + 24 <= n, let (v, e) = FastNumber.short(p, i) {
            i = e
            return v
        }
        return number(p, &i, n)
    }

    /// A plain decimal (`-12.345`) at `i`, moving `i` past it: FastNumber's exact path, so the
    /// same value. Nil for anything else (exponents, long mantissas: the general path's job).
    /// For the shapes ``FastNumber/short(_:_:)`` leaves (signs, long numbers, a file's last bytes).
    @inline(never)
    private static func number(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ n: Int) -> Double? {
        var j = i
        let d = FastNumber.decimal(p, &j, n)
        guard d.digits > 0, let value = d.exact, j == n || p[j] == 44 || p[j] == 10 || p[j] == 13 else {
            return nil
        }
        i = j
        return value
    }

    /// `YYYY-MM-DD HH:MM:SS`, optionally followed by `+HH:MM`, `-HH:MM` or `Z`, in `p[s..<e]`; the
    /// date's day number is cached. Other shapes (fractions, `+HHMM`) go to ``Timestamp/parse``.
    private mutating func textTime(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int64? {
        let length = e - s
        guard length == 19 || length == 20 || length == 25 else { return Timestamp.parse(p, s, e) }
        let date = UnsafeRawPointer(p.baseAddress! + s)
        let key = (date.loadUnaligned(as: UInt64.self), date.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
        if !hasCachedDate || key != cachedDate {
            // A new day: the general parser validates the whole field once.
            guard Timestamp.parse(p, s, e) != nil else { return nil }
            cachedDays = Timestamp.days(
                year: Timestamp.digits(p, s, 4, end: e)!, month: Timestamp.digits(p, s + 5, 2, end: e)!,
                day: Timestamp.digits(p, s + 8, 2, end: e)!)
            cachedDate = key
            hasCachedDate = true
        }
        guard p[s + 10] == 32 || p[s + 10] == 84, p[s + 13] == 58, p[s + 16] == 58,
            let hour = Timestamp.digits(p, s + 11, 2, end: e), let minute = Timestamp.digits(p, s + 14, 2, end: e),
            let second = Timestamp.digits(p, s + 17, 2, end: e), hour < 24, minute < 60, second < 61
        else { return nil }
        var offset = 0
        if length == 20 {
            guard p[s + 19] == 90 else { return Timestamp.parse(p, s, e) }
        } else if length == 25 {
            guard p[s + 19] == 43 || p[s + 19] == 45, p[s + 22] == 58, let oh = Timestamp.digits(p, s + 20, 2, end: e),
                let om = Timestamp.digits(p, s + 23, 2, end: e)
            else { return Timestamp.parse(p, s, e) }
            offset = (p[s + 19] == 43 ? 1 : -1) * (oh * 3600 + om * 60)
        }
        return Int64(cachedDays * 86_400 + hour * 3600 + minute * 60 + second - offset) * 1000
    }
}

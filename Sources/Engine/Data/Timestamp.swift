/// Conversions between epoch milliseconds and the seed's `YYYY-MM-DD HH:MM:SS+HH:MM` text.
public enum Timestamp {
    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    @inlinable
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Parses `YYYY-MM-DD HH:MM:SS` with an optional fraction and an optional zone (`+00:00`,
    /// `+0000`, `Z`); `T` may separate date and time. Returns nil when malformed.
    static func parse(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        func num(_ at: Int, _ n: Int) -> Int? { digits(p, at, n, end: end) }
        guard end - start >= 19, let year = num(start, 4), p[start + 4] == 45, let month = num(start + 5, 2),
            p[start + 7] == 45, let day = num(start + 8, 2), p[start + 10] == 32 || p[start + 10] == 84,
            let hour = num(start + 11, 2), p[start + 13] == 58, let minute = num(start + 14, 2), p[start + 16] == 58,
            let second = num(start + 17, 2), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var i = start + 19
        var millis = 0
        if i < end, p[i] == 46 {
            i += 1
            var scale = 100
            while i < end, p[i] &- 48 < 10 {
                millis += Int(p[i] &- 48) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if i < end {
            if p[i] == 90 {
                i += 1
            } else if p[i] == 43 || p[i] == 45 {
                let sign = p[i] == 43 ? 1 : -1
                guard let oh = num(i + 1, 2) else { return nil }
                var j = i + 3
                if j < end, p[j] == 58 { j += 1 }
                guard let om = num(j, 2) else { return nil }
                offset = sign * (oh * 3600 + om * 60)
                i = j + 2
            } else {
                return nil
            }
        }
        guard i == end else { return nil }
        let secs = days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Int64(secs) * 1000 + Int64(millis)
    }

    /// The `count` decimal digits at `at` as a number, nil when one is not a digit or they run
    /// past `end`.
    @inline(__always)
    static func digits(_ p: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int, end: Int) -> Int? {
        guard at + count <= end else { return nil }
        var v = 0
        for k in at..<(at + count) {
            let d = p[k] &- 48
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    /// Formats epoch milliseconds as the seed does: `2022-05-12 00:00:00+00:00` (UTC).
    public static func format(_ ms: Int64) -> String {
        let secs = Int(ms >= 0 ? ms / 1000 : (ms - 999) / 1000)
        let z = (secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let rem = secs - (z - 719_468) * 86_400
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(rem / 3600)):\(two(rem / 60 % 60)):\(two(rem % 60))+00:00"
    }
}

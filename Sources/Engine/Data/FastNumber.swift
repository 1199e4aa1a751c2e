/// Number parsing for data files, on raw bytes: exact (correctly rounded) and without allocation.
/// Decimal numbers with up to 19 digits and at most 22 decimals take the exact fast path
/// (Clinger's); anything else falls back to the standard library's parser.
enum FastNumber {
    static let powers: [Double] = (0...22).map { p in
        var v = 1.0
        for _ in 0..<p { v *= 10 }
        return v
    }

    /// Parses `bytes[start..<end]` as a Double, or nil when it is not a number.
    static func double(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start
        guard i < end else { return nil }
        if p[i] == UInt8(ascii: "+") {
            i += 1
            guard i < end, p[i] != UInt8(ascii: "-") else { return nil }
        }
        let d = decimal(p, &i, end)
        guard d.digits > 0 else { return nil }
        if i < end, p[i] | 0x20 == UInt8(ascii: "e") { return slow(p, start, end) }
        guard i == end else { return nil }
        return d.exact ?? slow(p, start, end)
    }

    /// A decimal `[-]digits[.digits]` as read: its digits as an integer (wrapping past 19
    /// digits, which ``exact`` then refuses) and the power of ten to scale them by.
    struct Decimal {
        var negative: Bool
        var mantissa: UInt64
        var exponent: Int
        /// Digits read, leading zeros included (0: not a number).
        var digits: Int

        /// The correctly rounded value when Clinger's fast path applies: at most 19 digits (no
        /// overflow), a mantissa below 2^53 and at most 22 decimals; nil otherwise.
        @inline(__always)
        var exact: Double? {
            guard digits <= 19, mantissa <= 1 << 53, exponent >= -22 else { return nil }
            var value = Double(mantissa)
            if exponent < 0 { value /= FastNumber.powers[-exponent] }
            return negative ? -value : value
        }
    }

    /// Reads `[-]digits[.digits]` at `i`, moving `i` to the first byte after it.
    @inline(__always)
    static func decimal(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int) -> Decimal {
        var negative = false
        if i < end, p[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var mantissa: UInt64 = 0
        let first = i
        digits(p, &i, end, &mantissa)
        var count = i - first
        var exponent = 0
        if i < end, p[i] == UInt8(ascii: ".") {
            i += 1
            let fraction = i
            digits(p, &i, end, &mantissa)
            exponent = fraction - i
            count -= exponent
        }
        return Decimal(negative: negative, mantissa: mantissa, exponent: exponent, digits: count)
    }

    /// Accumulates the decimal digits at `j` into `mantissa` (wrapping: callers bound the
    /// count), eight at a time while eight are there (SWAR), then one at a time.
    @inline(__always)
    private static func digits(_ p: UnsafeBufferPointer<UInt8>, _ j: inout Int, _ n: Int, _ mantissa: inout UInt64) {
        while j + 8 <= n {
            let v = UnsafeRawPointer(p.baseAddress! + j).loadUnaligned(as: UInt64.self)
            // All eight bytes are '0'...'9' (Lemire's test), little-endian: the first digit is the low byte.
            guard (((v &+ 0x4646_4646_4646_4646) | (v &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080) == 0 else {
                break
            }
            var x = v &- 0x3030_3030_3030_3030
            x = (x &* 10) &+ (x >> 8)
            x =
                (((x & 0x0000_00FF_0000_00FF) &* 0x000F_4240_0000_0064)
                    &+ (((x >> 16) & 0x0000_00FF_0000_00FF) &* 0x0000_2710_0000_0001)) >> 32
            mantissa = mantissa &* 100_000_000 &+ x
            j += 8
        }
        while j < n, p[j] &- 48 < 10 {
            mantissa = mantissa &* 10 &+ UInt64(p[j] &- 48)
            j += 1
        }
    }

    private static func slow(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        let text = String(decoding: UnsafeBufferPointer(rebasing: p[start..<end]), as: UTF8.self)
        guard let v = Double(text), v.isFinite else { return nil }
        return v
    }

    /// Parses an optionally signed decimal integer.
    static func int64(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        var i = start
        guard i < end else { return nil }
        var negative = false
        if p[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < end, end - i <= 18 else { return nil }
        var v: Int64 = 0
        while i < end {
            let d = p[i] &- 48
            guard d < 10 else { return nil }
            v = v * 10 + Int64(d)
            i += 1
        }
        return negative ? -v : v
    }
}

/// Number parsing for data files, on raw bytes: exact (correctly rounded) and without allocation.
/// Decimal numbers with up to 19 digits and at most 22 decimals take the exact fast path
/// (Clinger's); anything else falls back to the standard library's parser.
enum FastNumber {
    /// 10^0 … 10^22, all exact in a Double. Literals, so the table is laid out at compile time
    /// (a computed one is initialised lazily, and every read in a hot loop paid for the check).
    static let powers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]

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

    /// `[digits][.digits]` with at most 7 digits before the point and 8 after it, at `i`, with
    /// at least 24 readable bytes from `i` (the caller checks): the common price or volume read
    /// two words at a time, with no branch on the digits themselves. Returns the value and where
    /// the number ends (which must be `,`, LF or CR), or nil for any other shape (a sign, more
    /// digits, an exponent), which ``decimal(_:_:_:)`` reads. The same value as that path's
    /// ``Decimal/exact``, bit for bit: the same integer, divided by the same power of ten.
    @inline(__always)
    static func short(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Double, Int)? {
        let raw = UnsafeRawPointer(p.baseAddress! + i)
        let word = raw.loadUnaligned(as: UInt64.self)
        let nonDigit = nonDigits(word)
        guard nonDigit != 0 else { return nil }
        let whole = nonDigit.trailingZeroBitCount >> 3
        var end = whole
        var decimals = 0
        var fraction: UInt64 = 0
        if p[i + whole] == UInt8(ascii: ".") {
            let word = raw.loadUnaligned(fromByteOffset: whole + 1, as: UInt64.self)
            let nonDigit = nonDigits(word)
            decimals = nonDigit == 0 ? 8 : nonDigit.trailingZeroBitCount >> 3
            fraction = leading(word, decimals)
            end = whole + 1 + decimals
        }
        let next = p[i + end]
        guard whole + decimals > 0, next == 44 || next == 10 || next == 13 else { return nil }
        let mantissa = leading(word, whole) &* integerPowers[decimals] &+ fraction
        var value = Double(Int64(bitPattern: mantissa))  // below 10^15: exact, and one instruction signed
        if decimals > 0 { value /= powers[decimals] }
        return (value, i + end)
    }

    /// An unsigned integer of at most 15 digits at `i`, with at least 24 readable bytes from `i`:
    /// the epoch-millisecond time, two words at a time. Returns it and where it ends (`,`, LF or
    /// CR), or nil for anything else (``int64(_:_:_:)`` reads it).
    @inline(__always)
    static func shortInteger(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Int64, Int)? {
        let raw = UnsafeRawPointer(p.baseAddress! + i)
        let first = raw.loadUnaligned(as: UInt64.self)
        var nonDigit = nonDigits(first)
        var value: UInt64
        var end: Int
        if nonDigit != 0 {
            end = nonDigit.trailingZeroBitCount >> 3
            value = leading(first, end)
        } else {
            let second = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            nonDigit = nonDigits(second)
            guard nonDigit != 0 else { return nil }
            let more = nonDigit.trailingZeroBitCount >> 3
            value = leading(first, 8) &* integerPowers[more] &+ leading(second, more)
            end = 8 + more
        }
        let next = p[i + end]
        guard end > 0, next == 44 || next == 10 || next == 13 else { return nil }
        return (Int64(value), i + end)
    }

    /// `[digits][.digits]` filling `p[s..<e]` exactly, with at most 7 digits before the point and 8
    /// after it (8 without one), and 16 readable bytes from `s` (the caller's separators say where the field ends):
    /// ``short(_:_:)`` for a field whose end is already known, so no step waits on finding it.
    /// The same value, bit for bit (the same integer over the same power of ten); nil for any
    /// other shape.
    @inline(__always)
    static func bounded(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Double? {
        let raw = UnsafeRawPointer(p.baseAddress! + s)
        let length = e - s
        let word = raw.loadUnaligned(as: UInt64.self)
        let nonDigit = nonDigits(word)
        let whole = nonDigit == 0 ? 8 : nonDigit.trailingZeroBitCount >> 3
        if whole >= length {
            guard length > 0 else { return nil }
            return Double(Int64(bitPattern: leading(word, length)))
        }
        let decimals = length - whole - 1
        // At most 7 digits before the point (15 in all: below 2^53, so the integer is exact).
        guard nonDigit != 0, p[s + whole] == UInt8(ascii: "."), decimals <= 8, whole + decimals > 0 else {
            return nil
        }
        let fractionWord = raw.loadUnaligned(fromByteOffset: whole + 1, as: UInt64.self)
        guard nonDigits(fractionWord) & lowBytes[decimals] == 0 else { return nil }
        let mantissa = leading(word, whole) &* integerPowers[decimals] &+ leading(fractionWord, decimals)
        var value = Double(Int64(bitPattern: mantissa))  // below 10^15: exact
        if decimals > 0 { value /= powers[decimals] }
        return value
    }

    /// An unsigned integer of at most 16 digits filling `p[s..<e]` exactly, with 16 readable
    /// bytes from `s`: ``shortInteger(_:_:)`` for a field whose end is known. Nil for any other shape.
    @inline(__always)
    static func boundedInteger(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int64? {
        let raw = UnsafeRawPointer(p.baseAddress! + s)
        let length = e - s
        let first = raw.loadUnaligned(as: UInt64.self)
        if length <= 8 {
            guard length > 0, nonDigits(first) & lowBytes[length] == 0 else { return nil }
            return Int64(leading(first, length))
        }
        let second = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        guard length <= 16, nonDigits(first) == 0, nonDigits(second) & lowBytes[length - 8] == 0 else { return nil }
        return Int64(leading(first, 8) &* integerPowers[length - 8] &+ leading(second, length - 8))
    }

    /// The low `k` bytes' bits, k = 0...8.
    static let lowBytes: [UInt64] = [
        0, 0xFF, 0xFFFF, 0xFF_FFFF, 0xFFFF_FFFF, 0xFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF, 0xFF_FFFF_FFFF_FFFF, .max,
    ]

    static let integerPowers: [UInt64] = [1, 10, 100, 1000, 10000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// The high bit of each byte of `v` that is not an ASCII digit, each byte on its own (no carry
    /// or borrow crosses a byte, so the bytes after a point are judged correctly too).
    @inline(__always)
    static func nonDigits(_ v: UInt64) -> UInt64 {
        let high: UInt64 = 0x8080_8080_8080_8080
        let low7 = v & 0x7F7F_7F7F_7F7F_7F7F
        let atLeast0 = (low7 &+ 0x5050_5050_5050_5050) & high  // ≥ 0x30
        let above9 = (low7 &+ 0x4646_4646_4646_4646) & high  // ≥ 0x3A
        return ~(atLeast0 & ~above9 & ~v) & high
    }

    /// The value of the first `count` (0...8) bytes of `word`, all digits: they move to the high
    /// bytes (the low ones become leading zeros; bytes past them, and their borrows, shift out)
    /// and Lemire's multiply adds the eight lanes up.
    @inline(__always)
    static func leading(_ word: UInt64, _ count: Int) -> UInt64 {
        var x = (word &- 0x3030_3030_3030_3030) << (8 * (8 - count))  // count 0: a shift by 64 gives 0
        x = (x &* 10) &+ (x >> 8)
        return
            (((x & 0x0000_00FF_0000_00FF) &* 0x000F_4240_0000_0064)
            &+ (((x >> 16) & 0x0000_00FF_0000_00FF) &* 0x0000_2710_0000_0001)) >> 32
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

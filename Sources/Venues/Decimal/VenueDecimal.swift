import Foundation

/// An exact decimal number as venues write prices and quantities ("0.00100000", "52000.00"):
/// an integer count of units of 10^-scale. What goes to a venue is rendered from it, never from a
/// binary double (0.1 + 0.2 is 0.3 here, and a quantity rounded down to its step stays on it).
public struct VenueDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value is `units × 10^-scale`.
    public private(set) var units: Int64
    public private(set) var scale: Int

    /// At most this many digits after the point (Binance writes 8).
    public static let maximumScale = 18

    public init(units: Int64, scale: Int) {
        precondition(scale >= 0 && scale <= Self.maximumScale, "scale \(scale) out of range")
        self.units = units
        self.scale = scale
    }

    public init(_ integer: Int64) { self.init(units: integer, scale: 0) }

    public static let zero = VenueDecimal(units: 0, scale: 0)

    /// Parses a plain decimal ("-12.3400", "5", ".5"); nil for anything else (exponents, spaces,
    /// more than 18 decimals, values beyond 64-bit units).
    public init?(_ text: some StringProtocol) {
        self.init(String(text))
    }

    /// The same for a `String`, over its UTF-8 bytes in place: concrete, so a caller in another
    /// module runs it without generic dispatch per character (the venue's every price and
    /// quantity, and a replay's candles, go through here).
    public init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Self.parse($0) }) else { return nil }
        self = parsed
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> VenueDecimal? {
        var units: Int64 = 0
        var scale = 0
        var negative = false
        var seenPoint = false
        var digits = 0
        for k in 0..<bytes.count {
            let c = bytes[k]
            switch c {
            case UInt8(ascii: "-") where k == 0: negative = true
            case UInt8(ascii: "+") where k == 0: break
            case UInt8(ascii: "."):
                guard !seenPoint else { return nil }
                seenPoint = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let (m, o1) = units.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(c - UInt8(ascii: "0")))
                guard !o1, !o2 else { return nil }
                units = a
                digits += 1
                if seenPoint { scale += 1 }
            default: return nil
            }
        }
        guard digits > 0, scale <= maximumScale else { return nil }
        return VenueDecimal(units: negative ? -units : units, scale: scale)
    }

    /// The same value with `scale` decimals (more, or fewer when the dropped digits are zeros);
    /// nil when that would lose digits or overflow.
    public func rescaled(to scale: Int) -> VenueDecimal? {
        if scale == self.scale { return self }
        if scale > self.scale {
            guard scale <= Self.maximumScale, let f = Self.power(scale - self.scale) else { return nil }
            let (u, o) = units.multipliedReportingOverflow(by: f)
            return o ? nil : VenueDecimal(units: u, scale: scale)
        }
        guard let f = Self.power(self.scale - scale), units % f == 0 else { return nil }
        return VenueDecimal(units: units / f, scale: scale)
    }

    static func power(_ n: Int) -> Int64? {
        var p: Int64 = 1
        for _ in 0..<n {
            let (m, o) = p.multipliedReportingOverflow(by: 10)
            if o { return nil }
            p = m
        }
        return p
    }

    /// Both values at one scale, as 128-bit units (exact for any two 64-bit decimals).
    private static func aligned(_ a: VenueDecimal, _ b: VenueDecimal) -> (Int128, Int128, Int) {
        let scale = max(a.scale, b.scale)
        var x = Int128(a.units)
        var y = Int128(b.units)
        for _ in a.scale..<scale { x *= 10 }
        for _ in b.scale..<scale { y *= 10 }
        return (x, y, scale)
    }

    public static func < (a: VenueDecimal, b: VenueDecimal) -> Bool {
        let (x, y, _) = aligned(a, b)
        return x < y
    }

    public static func == (a: VenueDecimal, b: VenueDecimal) -> Bool {
        let (x, y, _) = aligned(a, b)
        return x == y
    }

    public func hash(into hasher: inout Hasher) {
        // Equal values hash alike whatever their scale: trailing zeros dropped.
        var u = units
        var s = scale
        while s > 0 && u % 10 == 0 {
            u /= 10
            s -= 1
        }
        hasher.combine(u)
        hasher.combine(s)
    }

    /// Whether this is a whole number of `step`s (a price on its tick, a quantity on its step).
    public func isMultiple(of step: VenueDecimal) -> Bool {
        let (x, y, _) = Self.aligned(self, step)
        return y != 0 && x % y == 0
    }

    /// The nearest whole number of `step`s toward zero (a quantity never rounds up past what was
    /// meant or what the balance holds), written at the step's scale (a venue refuses more
    /// decimals than its step has).
    public func roundedDown(toMultipleOf step: VenueDecimal) -> VenueDecimal {
        let (x, y, _) = Self.aligned(self, step)
        precondition(y > 0, "a step must be positive")
        return VenueDecimal(units: Int64(x / y * Int128(step.units)), scale: step.scale)
    }

    /// Rounded to a multiple of `step` at the step's scale, up (away from zero for positives) when
    /// `up`, else down: a buy's limit price rounds down, a sell's up, so rounding never worsens the
    /// price asked.
    public func rounded(toMultipleOf step: VenueDecimal, up: Bool) -> VenueDecimal {
        let down = roundedDown(toMultipleOf: step)
        guard up, down != self else { return down }
        return VenueDecimal(units: down.units + (units >= 0 ? step.units : -step.units), scale: step.scale)
    }

    /// The product (a notional: price × quantity), exact when it fits 64-bit units at 18
    /// decimals or fewer; otherwise the least significant decimals are cut (toward zero) until it
    /// does — a noisy price with many decimals times a large quantity must not crash the worker.
    /// Beyond 64-bit units with no decimal left to cut it saturates.
    public static func * (a: VenueDecimal, b: VenueDecimal) -> VenueDecimal {
        var product = Int128(a.units) * Int128(b.units)
        var scale = a.scale + b.scale
        while scale > maximumScale || (scale > 0 && product % 10 == 0)
            || (scale > 0 && (product > Int128(Int64.max) || product < Int128(Int64.min)))
        {
            product /= 10
            scale -= 1
        }
        return VenueDecimal(units: Int64(clamping: product), scale: scale)
    }

    /// Plain digits, as venues read them: "0.00100000" stays at its scale, never an exponent.
    public var description: String {
        let negative = units < 0
        var digits = String(units.magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return negative ? "-" + digits : digits
    }

    /// The nearest double, for the engine's arithmetic (never for what is sent to a venue).
    public var double: Double {
        Double(units) / (0..<scale).reduce(1.0) { acc, _ in acc * 10 }
    }
}

extension VenueDecimal {
    /// The decimal a double stands for: rounded to the 15 significant digits a double holds for
    /// certain, trailing zeros dropped (0.1 + 0.2 becomes 0.3, not 0.30000000000000004). Nil for
    /// infinities, NaN and magnitudes beyond 64-bit units.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        if value == 0 {
            self = .zero
            return
        }
        let magnitude = abs(value)
        let integerDigits = magnitude >= 1 ? Int(log10(magnitude).rounded(.down)) + 1 : 0
        let scale = max(0, min(Self.maximumScale, 15 - integerDigits))
        let scaled = (value * Double(Self.power(scale) ?? 1)).rounded()
        guard abs(scaled) < 9.2e18 else { return nil }
        var units = Int64(scaled)
        var s = scale
        while s > 0 && units % 10 == 0 {
            units /= 10
            s -= 1
        }
        self.init(units: units, scale: s)
    }
}

/// Venues write decimals as JSON strings ("0.00100000"); so does this.
extension VenueDecimal: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let value = VenueDecimal(text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "\"\(text)\" is not a plain decimal")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension VenueDecimal {
    /// The sum, exact, at the larger scale (balances and fills add up to the unit).
    public static func + (a: VenueDecimal, b: VenueDecimal) -> VenueDecimal {
        let (x, y, scale) = aligned(a, b)
        return VenueDecimal(units: Int64(x + y), scale: scale)
    }

    public static func - (a: VenueDecimal, b: VenueDecimal) -> VenueDecimal {
        let (x, y, scale) = aligned(a, b)
        return VenueDecimal(units: Int64(x - y), scale: scale)
    }

    public static func += (a: inout VenueDecimal, b: VenueDecimal) { a = a + b }
    public static func -= (a: inout VenueDecimal, b: VenueDecimal) { a = a - b }

    public static prefix func - (a: VenueDecimal) -> VenueDecimal { VenueDecimal(units: -a.units, scale: a.scale) }

    /// At most `scale` decimals, the dropped digits cut toward zero (a commission or a quote
    /// amount written at an asset's precision).
    public func truncated(toScale scale: Int) -> VenueDecimal {
        guard scale < self.scale, let f = Self.power(self.scale - scale) else { return self }
        return VenueDecimal(units: units / f, scale: scale)
    }
}

/// Turns a symbol's trades, in order, into closed candles of any whole length that divides a day
/// (`5s`, `10s`, `2m` as well as the venue's own intervals), as the venue builds its klines:
/// candles start on multiples of their length since the epoch, open is the first trade's price,
/// close the last's, volume the sum of quantities (exact decimals), and an interval without
/// trades is a flat candle at the last close with no volume. Pure; `ats data download
/// --from-trades` drives it.
public struct TradeCandles: Sendable {
    public let symbol: String
    public let interval: String
    public let length: Int64
    private var open: BinanceKline?

    public init?(symbol: String, interval: String) {
        guard let length = Self.length(of: interval) else { return nil }
        self.symbol = symbol
        self.interval = interval
        self.length = length
    }

    /// `N` followed by s, m, h or d, dividing a day evenly (so candles line up with the venue's
    /// days); nil for anything else.
    public static func length(of interval: String) -> Int64? {
        guard let unit = interval.last, let n = Int64(interval.dropLast()), n > 0 else { return nil }
        let scale: Int64
        switch unit {
        case "s": scale = 1_000
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        default: return nil
        }
        let (length, overflow) = n.multipliedReportingOverflow(by: scale)
        guard !overflow, length <= 86_400_000, 86_400_000 % length == 0 else { return nil }
        return length
    }

    /// Folds in one trade (in time order); returns the candles it closed, flat ones included.
    public mutating func add(price: VenueDecimal, quantity: VenueDecimal, timeMs: Int64) -> [BinanceKline] {
        let start = timeMs - timeMs % length
        var closed: [BinanceKline] = []
        if let k = open, k.openTime < start { closed.append(finish(k)) }
        if open == nil, let q = quiet {
            closed += flats(at: q.close, from: q.next, to: start)
            quiet = nil
        }
        if var k = open {
            k.high = max(k.high, price)
            k.low = min(k.low, price)
            k.close = price
            k.volume += quantity
            k.trades += 1
            open = k
        } else {
            open = BinanceKline(
                symbol: symbol, interval: interval, openTime: start, closeTime: start + length - 1, open: price,
                high: price, low: price, close: price, volume: quantity, trades: 1, isClosed: false)
        }
        return closed
    }

    /// The candles over once the venue's clock reads `nowMs` and no later trade came: the open
    /// one and the quiet intervals after it (flat), each ending at or before `nowMs`.
    public mutating func close(through nowMs: Int64) -> [BinanceKline] {
        let end = nowMs - nowMs % length
        var closed: [BinanceKline] = []
        if let k = open, k.openTime < end { closed.append(finish(k)) }
        if open == nil, let q = quiet, q.next < end {
            closed += flats(at: q.close, from: q.next, to: end)
            quiet = (q.close, end)
        }
        return closed
    }

    /// After a candle closed with no trade since: its close, and the open time of the next
    /// candle not given out yet.
    private var quiet: (close: VenueDecimal, next: Int64)?

    private mutating func finish(_ k: BinanceKline) -> BinanceKline {
        var done = k
        done.isClosed = true
        open = nil
        quiet = (k.close, k.openTime + length)
        return done
    }

    private func flats(at close: VenueDecimal, from first: Int64, to end: Int64) -> [BinanceKline] {
        var out: [BinanceKline] = []
        var t = first
        while t < end {
            out.append(
                BinanceKline(
                    symbol: symbol, interval: interval, openTime: t, closeTime: t + length - 1, open: close,
                    high: close, low: close, close: close, volume: .zero, trades: 0, isClosed: true))
            t += length
        }
        return out
    }
}

import ATSVenues
import Foundation

/// The synthetic market the fake venue trades on: every `interval`, one trade per symbol at a
/// price that moves by a seeded random walk (`volatility` per step, as a fraction), so a demo or
/// a paper job sees a live market whose every run with the same seed is the same path.
public struct PricePath: Sendable {
    public var interval: Duration
    public var volatility: Double
    public var seed: UInt64

    public init(interval: Duration, volatility: Double = 0.0005, seed: UInt64 = 1) {
        self.interval = interval
        self.volatility = volatility
        self.seed = seed
    }

    /// Moves the venue's prices until cancelled.
    public func run(on venue: FakeVenue) async {
        var state = seed
        func next() -> Double {
            // SplitMix64, uniform in (0, 1).
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return (Double(z >> 11) + 0.5) / Double(1 << 53)
        }
        var prices = Dictionary(uniqueKeysWithValues: venue.configuration.symbols.map { ($0.symbol, $0.price.double) })
        var ticked: [String: VenueDecimal] = [:]
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            for s in venue.configuration.symbols {
                // Moved from outside (`/_fake/price`): the walk goes on from there, as a market would.
                if let last = venue.lastPrice(s.symbol), let own = ticked[s.symbol], last != own {
                    prices[s.symbol] = last.double
                }
                // A normal step (Box–Muller) on the log price.
                let z = (-2 * log(next())).squareRoot() * cos(2 * Double.pi * next())
                let p = (prices[s.symbol] ?? s.price.double) * exp(volatility * z)
                prices[s.symbol] = p
                if let decimal = VenueDecimal(p) {
                    let price = decimal.rounded(toMultipleOf: s.tickSize, up: false)
                    venue.walk(symbol: s.symbol, price: price)
                    ticked[s.symbol] = price
                }
            }
        }
    }
}

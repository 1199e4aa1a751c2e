import ATSEngine

/// The simulated jobs' strategy: deterministic, with state that a checkpoint must carry, and
/// fills that depend on the configuration in effect, so a fill made under the wrong revision, from
/// the wrong state or twice with other values is caught by comparing with ``expectedFills``.
struct SimStrategy: Equatable {
    var state: UInt64
    var config: [UInt8] = []

    init(jobId: Int64) { state = UInt64(bitPattern: jobId) &* 0x9E37_79B9_7F4A_7C15 }

    /// SplitMix64's step: the engine's generator seeded with `x`, one draw.
    private static func mix(_ x: UInt64) -> UInt64 {
        var g = SeededRandom(seed: x)
        return g.next()
    }

    /// Runs one bar; a fill when the state says so.
    mutating func bar(_ index: Int, seq: Int64) -> Fill? {
        var h = state ^ UInt64(index)
        for b in config { h = Self.mix(h ^ UInt64(b)) }
        state = Self.mix(h)
        guard state % 3 == 0 else { return nil }
        return Fill(
            seq: seq, orderId: seq + 1, time: Int64(index) * 60_000, barIndex: index,
            side: state & 8 == 0 ? .buy : .sell, price: 100 + Double(state % 997) / 10,
            quantity: Double(1 + state % 13) / 4, feeBase: 0, feeQuote: Double(state % 7) / 100, liquidity: .taker,
            tag: "")
    }

    /// What a job's checkpoint carries.
    func encode(cursor: Int, nextSeq: Int64) -> [UInt8] {
        var out: [UInt8] = []
        for v in [UInt64(cursor), UInt64(bitPattern: nextSeq), state] {
            withUnsafeBytes(of: v.littleEndian) { out += $0 }
        }
        out += config
        return out
    }

    static func decode(_ bytes: [UInt8], jobId: Int64) -> (strategy: SimStrategy, cursor: Int, nextSeq: Int64) {
        func word(_ k: Int) -> UInt64 {
            bytes[k * 8..<k * 8 + 8].enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }
        var s = SimStrategy(jobId: jobId)
        s.state = word(2)
        s.config = Array(bytes[24...])
        return (s, Int(word(0)), Int64(bitPattern: word(1)))
    }

    /// Every fill of a whole run whose revisions took effect at these bars (a revision applies
    /// from its bar; the newest whose bar has come is in effect).
    static func expectedFills(
        jobId: Int64, bars: Int, revisions: [(revision: Int64, config: [UInt8], bar: Int64)]
    ) -> [Int64: Fill] {
        var s = SimStrategy(jobId: jobId)
        var out: [Int64: Fill] = [:]
        var seq: Int64 = 0
        let ordered = revisions.sorted { $0.revision < $1.revision }
        var inEffect: Int64 = 0
        for i in 0..<bars {
            for r in ordered where r.bar <= Int64(i) && r.revision > inEffect {
                inEffect = r.revision
                s.config = r.config
            }
            if let f = s.bar(i, seq: seq) {
                out[seq] = f
                seq += 1
            }
        }
        return out
    }
}

import ATSEngine
import Foundation
import Testing

struct IndicatorTests {
    static let bars = SyntheticBars(seed: 12).generate(count: 5_000)

    @Test func thereAreAtLeastThirtyIndicators() {
        #expect(Registry.builtIn.indicators.count >= 30, "\(Registry.builtIn.indicators.keys.sorted())")
    }

    @Test(
        "every indicator: batch equals incremental, and a Codable round trip mid-way changes nothing",
        arguments: Registry.builtIn.indicators.keys.sorted())
    func batchIncrementalAndCheckpoint(_ name: String) throws {
        let (type, p) = try Registry.builtIn.indicator(IndicatorCall(parsing: name))
        let batch = try type.batch(Self.bars, parameters: p)
        var first = try type.init(parameters: p)
        let head = first.run(over: BarSeries((0..<2_000).map { Self.bars[$0] }))
        // Through JSON, as a checkpoint does.
        let data = try CheckpointCoding.encoder().encode(first)
        var resumed = try CheckpointCoding.decoder().decode(type, from: data)
        let tail = resumed.run(over: BarSeries((2_000..<Self.bars.count).map { Self.bars[$0] }))
        for k in 0..<batch.count {
            let joined = head[k] + tail[k]
            for i in 0..<Self.bars.count where !(joined[i].isNaN && batch[k][i].isNaN) {
                #expect(joined[i].bitPattern == batch[k][i].bitPattern, "\(name) output \(k) bar \(i)")
                if joined[i].bitPattern != batch[k][i].bitPattern { return }
            }
        }
        #expect(batch.allSatisfy { column in column.contains { !$0.isNaN } }, "\(name) produced values")
    }

    /// A NaN input mid-series: the batch form writes every bar (NaN where the update gives none),
    /// as the incremental one reports it, instead of leaving memory unwritten.
    @Test func rsiBatchAfterANaNInputIsTheIncrementalOne() {
        var closes = Array(Self.bars.close.array.prefix(400))
        closes[200] = .nan
        let batch = closes.withUnsafeBufferPointer { RSI.batch($0, period: 14) }
        var rsi = RSI(period: 14)
        let incremental = closes.map { rsi.update($0) ?? .nan }
        #expect(batch.count == incremental.count)
        #expect(zip(batch, incremental).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) })
        #expect(batch[200].isNaN && batch[201].isNaN && !batch[199].isNaN)
    }

    func column(_ call: String, _ k: Int = 0) throws -> [Double] {
        let (type, p) = try Registry.builtIn.indicator(IndicatorCall(parsing: call))
        return try type.batch(Self.bars, parameters: p)[k]
    }

    @Test func donchianIsTheHighestHighAndLowestLow() throws {
        let upper = try column("donchian:period=20", 0)
        let lower = try column("donchian:period=20", 2)
        for i in [19, 500, 4_999] {
            #expect(upper[i] == Self.bars.high[(i - 19)...i].max())
            #expect(lower[i] == Self.bars.low[(i - 19)...i].min())
        }
        #expect(upper[18].isNaN)
    }

    @Test func keltnerIsEMAPlusMinusATR() throws {
        let upper = try column("keltner:period=20,atr_period=10,multiplier=2", 0)
        let ema = try column("ema:period=20")
        let atr = try column("atr:period=10")
        for i in [100, 4_000] { #expect(abs(upper[i] - (ema[i] + 2 * atr[i])) < 1e-9) }
    }

    @Test func vwapResetsEachUTCDayAndRollsOverAPeriod() throws {
        let daily = try column("vwap")
        let rolling = try column("vwap:period=30")
        let b = Self.bars
        func tp(_ i: Int) -> Double { (b.high[i] + b.low[i] + b.close[i]) / 3 }
        // Bars start at midnight: bar 1440 opens a new day.
        #expect(abs(daily[1440] - tp(1440)) < 1e-12)
        let range = 1440...1450
        let expected = range.reduce(0) { $0 + tp($1) * b.volume[$1] } / range.reduce(0) { $0 + b.volume[$1] }
        #expect(abs(daily[1450] - expected) < 1e-9)
        let window = 100...129
        let rollingExpected = window.reduce(0) { $0 + tp($1) * b.volume[$1] } / window.reduce(0) { $0 + b.volume[$1] }
        #expect(abs(rolling[129] - rollingExpected) < 1e-9)
    }

    @Test func superTrendFlipsWhenTheCloseBreaksItsLine() throws {
        let line = try column("supertrend:period=10,multiplier=3", 0)
        let direction = try column("supertrend:period=10,multiplier=3", 1)
        var flips = 0
        for i in 11..<Self.bars.count where direction[i] != direction[i - 1] {
            flips += 1
            // Turning up means the close broke above the previous (upper) line, and vice versa.
            if direction[i] > 0 {
                #expect(Self.bars.close[i] > line[i - 1])
            } else {
                #expect(Self.bars.close[i] < line[i - 1])
            }
        }
        #expect(flips > 5)
        // The line is a trailing stop: below the close in an uptrend, above it in a downtrend.
        for i in 11..<Self.bars.count {
            #expect(direction[i] > 0 ? line[i] <= Self.bars.close[i] : line[i] >= Self.bars.close[i], "bar \(i)")
        }
    }

    @Test func stdFirstDerivativeIsTheStdOfChanges() throws {
        let value = try column("std_first_der:period=20")
        let diffs = (1...20).map { Self.bars.close[$0] - Self.bars.close[$0 - 1] }
        let mean = diffs.reduce(0, +) / 20
        let std = (diffs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20).squareRoot()
        #expect(abs(value[20] - std) < 1e-12)
        #expect(value[19].isNaN)
    }

    @Test func candleAggregatesEveryNBars() throws {
        let open = try column("candle:size=5", 0)
        let high = try column("candle:size=5", 1)
        let close = try column("candle:size=5", 3)
        let volume = try column("candle:size=5", 4)
        #expect(open[3].isNaN)
        #expect(open[4] == Self.bars.open[0] && close[4] == Self.bars.close[4])
        #expect(high[4] == Self.bars.high[0...4].max())
        #expect(abs(volume[9] - Self.bars.volume[5...9].reduce(0, +)) < 1e-9)
        #expect(close[7] == close[5], "the completed candle holds until the next completes")
    }

    @Test func kamaFollowsAFlatMarketExactlyWhateverThePriceScale() {
        // Prices quoted in tiny units: a fixed "is zero" band would call every window flat.
        var tiny = KAMA(period: 5)
        var values: [Double] = []
        for i in 0..<40 { values.append(tiny.update(1e-9 * (1 + Double(i % 7) * 0.01)) ?? .nan) }
        #expect(values[4].isNaN && !values[5].isNaN)
        #expect(values[5...].allSatisfy { $0 > 0.99e-9 && $0 < 1.07e-9 })
        // Ten unchanged prices: the ratio is 1 (fastest), and the average converges on the price.
        var flat = KAMA(period: 5)
        for x in [10.0, 11, 12, 13, 12, 11] { flat.update(x) }
        var last = 0.0
        for _ in 0..<200 { last = flat.update(12.5) ?? .nan }
        #expect(abs(last - 12.5) < 1e-12)
        var one = KAMA(period: 1)
        #expect(one.update(3.25) == 3.25 && one.update(4.5) == 4.5)
    }

    @Test func trimaWeightsRiseAndFallLinearly() throws {
        for period in [4, 5] {
            let value = try column("trima:period=\(period)")
            // Weights 1,2,2,1 (even) and 1,2,3,2,1 (odd).
            let weights: [Double] = period == 4 ? [1, 2, 2, 1] : [1, 2, 3, 2, 1]
            let i = 100
            let window = (0..<period).map { Self.bars.close[i - period + 1 + $0] }
            let expected = zip(window, weights).map(*).reduce(0, +) / weights.reduce(0, +)
            #expect(abs(value[i] - expected) < 1e-9 * expected, "period \(period)")
            #expect(value[period - 2].isNaN && !value[period - 1].isNaN)
        }
    }

    @Test func stochasticRSIIsTheStochasticOfTheRSI() throws {
        let k = try column("stochrsi:period=14,fastk=5,fastd=3", 0)
        let d = try column("stochrsi:period=14,fastk=5,fastd=3", 1)
        let rsi = try column("rsi:period=14")
        let i = 300
        let window = rsi[(i - 4)...i]
        let expected = 100 * (rsi[i] - window.min()!) / (window.max()! - window.min()!)
        #expect(abs(k[i] - expected) < 1e-9)
        #expect(abs(d[i] - (k[i] + k[i - 1] + k[i - 2]) / 3) < 1e-9)
        #expect(k[14 + 5 + 3 - 3].isNaN && !k[14 + 5 + 3 - 2].isNaN && !d[14 + 5 + 3 - 2].isNaN)
        // TA-Lib's arithmetic divides by range/100, which can land one ulp above 100.
        #expect(k.allSatisfy { $0.isNaN || (0...100.000_000_001).contains($0) }, "\(k.filter { !$0.isNaN }.max()!)")
    }

    @Test func checkpointedAveragesWithAWindowUnlikeTheirPeriodAreRefused() throws {
        var sma = SMA(period: 5)
        var pair = SMAPair(short: 3, long: 5)
        for x in Self.bars.close.prefix(20) {
            sma.update(x)
            _ = pair.update(x)
        }
        let smaJSON = String(decoding: try CheckpointCoding.encoder().encode(sma), as: UTF8.self)
        let pairJSON = String(decoding: try CheckpointCoding.encoder().encode(pair), as: UTF8.self)
        // The untouched state restores, and goes on with the same values.
        var restored = try CheckpointCoding.decoder().decode(SMA.self, from: Data(smaJSON.utf8))
        var restoredPair = try CheckpointCoding.decoder().decode(SMAPair.self, from: Data(pairJSON.utf8))
        for x in Self.bars.close.dropFirst(20).prefix(50) {
            #expect(restored.update(x)?.bitPattern == sma.update(x)?.bitPattern)
            let (a, b) = restoredPair.update(x)
            let (c, d) = pair.update(x)
            #expect(a?.bitPattern == c?.bitPattern && b?.bitPattern == d?.bitPattern)
        }
        let badSMA = smaJSON.replacingOccurrences(of: "\"period\":5", with: "\"period\":6")
        let badPair = pairJSON.replacingOccurrences(of: "\"longPeriod\":5", with: "\"longPeriod\":6")
        #expect(badSMA != smaJSON && badPair != pairJSON)
        #expect(throws: DecodingError.self) { try CheckpointCoding.decoder().decode(SMA.self, from: Data(badSMA.utf8)) }
        #expect(throws: DecodingError.self) {
            try CheckpointCoding.decoder().decode(SMAPair.self, from: Data(badPair.utf8))
        }
    }

    @Test("ATR's two-bar step: batch equals incremental whatever the parity of the series' length")
    func atrBatchEqualsIncrementalForEveryLength() throws {
        for period in 1...6 {
            for count in 1...(period + 7) {
                let bars = BarSeries((0..<count).map { Self.bars[$0] })
                let (type, p) = try Registry.builtIn.indicator(IndicatorCall(parsing: "atr:period=\(period)"))
                let batch = try type.batch(bars, parameters: p)[0]
                var atr = ATR(period: period)
                for i in 0..<count {
                    let v = atr.update(high: bars.high[i], low: bars.low[i], close: bars.close[i])
                    #expect(
                        v?.bitPattern == batch[i].bitPattern || (v == nil && batch[i].isNaN),
                        "period \(period), \(count) bars, bar \(i)")
                }
            }
        }
    }

    @Test("an ATR checkpoint from before the two-bar step resumes with one Wilder step, then close")
    func atrCheckpointWithoutAnAnchorResumes() throws {
        var atr = ATR(period: 14)
        let head = 301
        for i in 0..<head { atr.update(Self.bars[i]) }
        var json = try JSONSerialization.jsonObject(with: CheckpointCoding.encoder().encode(atr)) as! [String: Any]
        #expect(json["anchor"] != nil && json["halfway"] != nil)
        for key in ["anchor", "halfway", "pendingMove"] { json[key] = nil }
        var restored = try CheckpointCoding.decoder().decode(
            ATR.self, from: JSONSerialization.data(withJSONObject: json))
        let before = restored.value
        restored.update(Self.bars[head])
        // TA-Lib's one step from the last value, as the engine before the two-bar step took it.
        let previousClose = Self.bars.close[head - 1]
        let tr = max(Self.bars.high[head], previousClose) - min(Self.bars.low[head], previousClose)
        let a = 13.0 / 14.0
        #expect(restored.value == ((1 - a) * tr).addingProduct(a, before))
        atr.update(Self.bars[head])
        for i in (head + 1)..<Self.bars.count {
            atr.update(Self.bars[i])
            restored.update(Self.bars[i])
            #expect(abs(restored.value - atr.value) <= 1e-12 * atr.value, "bar \(i)")
        }
    }

    @Test(arguments: [(1, 1), (2, 3), (10, 30), (7, 7), (30, 200)])
    func smaPairEqualsTwoSMAsBitForBit(_ periods: (Int, Int)) {
        var pair = SMAPair(short: periods.0, long: periods.1)
        var short = SMA(period: periods.0)
        var long = SMA(period: periods.1)
        for x in Self.bars.close {
            let (a, b) = pair.update(x)
            #expect(a?.bitPattern == short.update(x)?.bitPattern)
            #expect(b?.bitPattern == long.update(x)?.bitPattern)
        }
    }
}

import ATSEngine
import ATSShared
import ATSVenues
import Foundation

/// Replays a job's recording through the backtest engine with the job's spec and revisions, and
/// compares the result with what the job did (docs/LIVE.md "Divergence"). The candles are parsed
/// exactly as the worker parsed them (the venue's decimals), so a paper job's replay is its run.
public enum DivergenceReplay {
    public static func report(_ r: JobRecording, registry: Registry) throws -> DivergenceReport {
        guard let length = BinanceKline.length(of: r.market.interval) else {
            throw SpecError(field: "market.interval", reason: "unknown interval \(r.market.interval)")
        }
        var run = try r.spec.validate(with: registry)
        if let rules = r.rules {
            run.instrument.tickSize = rules.tickSize
            run.instrument.stepSize = rules.stepSize
            run.instrument.minQuantity = rules.minQuantity
            run.instrument.minNotional = rules.minNotional
        }
        var session = try registry.makeSession(run)
        // The revision in effect at bar 0 is the first; later ones from the bar they took effect.
        var steps: [(bar: Int64, config: [UInt8])] = []
        let revisions = r.revisions.sorted { $0.revision < $1.revision }
        if let first = revisions.first, r.job.specRevision != first.revision { steps.append((0, first.strategyConfig)) }
        for v in revisions.dropFirst() { if let bar = v.effectiveBar { steps.append((bar, v.strategyConfig)) } }
        steps.sort { $0.bar < $1.bar }
        var next = steps[...]

        var replay: [Divergence.Fill] = []
        var lastClose = 0.0
        for c in r.candles {
            while let step = next.first, step.bar <= Int64(session.cursor) {
                next.removeFirst()
                let values = try JSONCoding.decoder().decode([String: ParameterValue].self, from: Data(step.config))
                try session.replaceStrategy(parameters: try run.strategy.descriptor.validate(values))
            }
            guard let o = VenueDecimal(c.open), let h = VenueDecimal(c.high), let l = VenueDecimal(c.low),
                let cl = VenueDecimal(c.close), let v = VenueDecimal(c.volume)
            else { throw SpecError(field: "recording", reason: "candle at \(c.openTimeMs) is not decimal") }
            session.step(
                Bar(
                    time: c.openTimeMs, open: o.double, high: h.double, low: l.double, close: cl.double,
                    volume: v.double))
            lastClose = cl.double
            for f in session.takeFills() {
                replay.append(
                    Divergence.Fill(
                        orderId: Int64(f.orderId), side: f.side.rawValue, barIndex: Int64(f.barIndex), timeMs: f.time,
                        price: f.price, quantity: f.quantity, feeBase: f.feeBase, feeQuote: f.feeQuote))
            }
        }
        let job = r.fills.map {
            Divergence.Fill(
                orderId: $0.orderId, side: $0.side, barIndex: $0.barIndex, timeMs: $0.timeMs, price: $0.price,
                quantity: $0.quantity, feeBase: $0.feeBase, feeQuote: $0.feeQuote)
        }
        var divergence = Divergence(
            job: job, replay: replay, cash: r.spec.run.portfolio.cash, base: r.spec.run.portfolio.base,
            lastClose: lastClose)
        divergence.trades = r.trades
        divergence.decidedAtMs = r.decidedAtMs
        divergence.candleOpenMs = r.candleOpenMs
        divergence.originMs = r.originMs ?? 0
        divergence.lengthMs = length
        let (summary, orders) = divergence.compare()
        // The job traded one bar per candle: what its recording lacks, if anything. A running job
        // sends its candles before each checkpoint: the ones since are not lost, only not sent yet.
        let lacking = max(0, Int(r.job.barsDone) - r.candles.count)
        let running = r.job.status == .assigned || r.job.status == .running
        return DivergenceReport(
            jobId: r.job.id, job: r.job.name, mode: r.job.mode,
            market: "\(r.market.symbol)@\(r.market.interval) \(r.market.endpoint)", candles: r.candles.count,
            fromMs: r.candles.first?.openTimeMs, throughMs: r.candles.last?.openTimeMs,
            missingCandles: running ? 0 : lacking, unsentCandles: running ? lacking : 0,
            venueRules: r.rules.map {
                "tick \($0.tickSize), step \($0.stepSize), minimum quantity \($0.minQuantity), minimum notional \($0.minNotional)"
            }, summary: summary, orders: orders)
    }
}

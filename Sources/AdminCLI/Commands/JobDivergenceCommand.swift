import ATSBacktestCLI
import ATSEngine
import ATSShared
import ArgumentParser
import Foundation

extension JobCommand {
    struct Divergence: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "divergence",
            abstract: "Compare a paper or live job with a replay of the candles it saw through the backtest engine.",
            discussion: """
                Orders are paired by the engine's order id, their fills one by one: time, price,
                quantity and fees on each side, the slippage of the job's prices against the
                replay's (positive: worse for the trader) and, for a live job, the latency from the
                candle's close to the decision and from the decision to the venue's execution.
                A paper job's replay is its own run: every fill is equal.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Job id or name.") var job: String
        @Flag(help: "List every fill pair under its order.") var fills = false

        func run() async throws {
            try await reportingErrors {
                let r = try await connection.client().get("api/jobs/\(job)/divergence", as: DivergenceReport.self)
                if connection.json { return try printJSON(r) }
                print(Self.render(r, fills: fills))
            }
        }

        static func render(_ r: DivergenceReport, fills: Bool) -> String {
            let s = r.summary
            func time(_ ms: Int64?) -> String { ms.map(Timestamp.format) ?? "-" }
            func ms(_ v: Int64?) -> String { v.map { "\($0) ms" } ?? "-" }
            func bps(_ v: Double?) -> String { v.map { "\($0.fixed(1)) bps" } ?? "-" }
            var lines = [
                "job \(r.jobId) \(r.job) (\(r.mode)) on \(r.market)",
                "candles replayed: \(r.candles) (\(time(r.fromMs)) to \(time(r.throughMs)))"
                    + (r.missingCandles > 0 ? ", \(r.missingCandles) missing from the recording" : "")
                    + (r.unsentCandles > 0
                        ? ", \(r.unsentCandles) traded since its last checkpoint not recorded yet" : "")
                    + (r.venueRules.map { "; replayed under the venue's rules (\($0))" } ?? ""),
                "orders: \(s.matchedOrders) matched, \(s.jobOnlyOrders) only in the job, \(s.replayOnlyOrders) only in the replay; fills: \(s.jobFills) job, \(s.replayFills) replay"
                    + (s.identical ? " (identical)" : ""),
                "P&L: job \(s.jobPnl.fixed(4)), replay \(s.replayPnl.fixed(4)), difference \((s.jobPnl - s.replayPnl).fixed(4))",
                "fees: job \(s.jobFees.fixed(4)), replay \(s.replayFees.fixed(4)); slippage cost \(s.slippageCost.fixed(4)), mean \(bps(s.meanSlippageBps)), worst \(bps(s.worstSlippageBps))",
            ]
            if s.medianDecisionLatencyMs != nil || s.medianVenueLatencyMs != nil {
                lines.append(
                    "latency: candle close to decision median \(ms(s.medianDecisionLatencyMs)), worst \(ms(s.worstDecisionLatencyMs)); decision to execution median \(ms(s.medianVenueLatencyMs)), worst \(ms(s.worstVenueLatencyMs))"
                )
            }
            var table = Table(
                "ORDER", "SIDE", "CLIENT ID", "JOB TIME", "JOB PRICE", "JOB QTY", "JOB FEE", "REPLAY TIME",
                "REPLAY PRICE", "REPLAY QTY", "REPLAY FEE", "SLIPPAGE", "DECISION", "VENUE")
            for o in r.orders {
                table.add(
                    String(o.orderId), o.side, o.clientOrderId ?? "-", time(o.job?.timeMs),
                    o.job?.price.fixed(4) ?? "-",
                    o.job?.quantity.fixed(6) ?? "-", o.job?.fee.fixed(4) ?? "-", time(o.replay?.timeMs),
                    o.replay?.price.fixed(4) ?? "-", o.replay?.quantity.fixed(6) ?? "-", o.replay?.fee.fixed(4) ?? "-",
                    bps(o.slippageBps), ms(o.decisionLatencyMs), ms(o.venueLatencyMs))
                guard fills else { continue }
                for (k, p) in o.fills.enumerated() {
                    table.add(
                        "  fill \(k + 1)", p.equal ? "=" : "≠", "", time(p.job?.timeMs), p.job?.price.fixed(4) ?? "-",
                        p.job?.quantity.fixed(6) ?? "-", p.job?.fee.fixed(4) ?? "-", time(p.replay?.timeMs),
                        p.replay?.price.fixed(4) ?? "-", p.replay?.quantity.fixed(6) ?? "-",
                        p.replay?.fee.fixed(4) ?? "-", "", "", "")
                }
            }
            return (lines + ["", table.render()]).joined(separator: "\n")
        }
    }
}

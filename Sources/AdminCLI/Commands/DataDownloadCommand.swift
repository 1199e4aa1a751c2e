import ATSBacktestCLI
import ATSShared
import ATSVenueConnector
import ATSVenues
import ArgumentParser
import Foundation
import Logging

/// `ats data download`: candles from a venue into a bar file `ats backtest` reads. Run by
/// `ats-admin` (it needs the network, which `ats` leaves out); `ats data download` hands over.
struct DataDownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Download bar data from a venue; the cluster's data sets.",
        subcommands: [
            Download.self, DatasetCommands.Add.self, DatasetCommands.List.self, DatasetCommands.Show.self,
            DatasetCommands.Remove.self,
        ])

    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "download",
            abstract: "Download a symbol's candles from Binance spot into a bar file ats backtest reads.",
            discussion: """
                ats data download --symbol BTCUSDT --interval 1m --from 2024-01-01 --to 2024-02-01 --out btc-1m.csv
                Writes `timestamp,open,high,low,close,volume` (epoch ms), prices and volumes exactly as the venue \
                wrote them; closed candles only. --venue: production (default), testnet, local:PORT (ats-venue) \
                or a base URL. Public data: no API key needed.
                ats data download --symbol BTCUSDT --from-trades --interval 5s --from 2024-01-01T00:00:00Z \
                --to 2024-01-01T06:00:00Z --out btc-5s.csv
                With --from-trades the candles are made from the venue's public trades (aggTrades) as the venue \
                makes its klines: any length that divides a day (5s, 10s, 2m, ...), quiet intervals flat at the \
                last close; the file starts at the first candle with a trade.
                """)
        @Option(help: "The venue's symbol, like BTCUSDT.") var symbol: String
        @Option(help: "Candle interval: 1s, 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 3d, 1w.")
        var interval: String = "1m"
        @Option(help: "First candle: YYYY-MM-DD, an ISO-8601 time, or epoch milliseconds.") var from: String
        @Option(help: "Last candle (default: now), same forms.") var to: String?
        @Option(help: "production, testnet, local:PORT or a base URL.") var venue: String = "production"
        @Option(help: "Output file (written whole, then renamed into place).") var out: String
        @Flag(help: "Make the candles from the venue's public trades (any interval that divides a day, like 5s).")
        var fromTrades = false

        func run() async throws {
            try await reportingErrors {
                if fromTrades {
                    guard TradeCandles.length(of: interval) != nil else {
                        throw CLIError.invalid(
                            "--interval: with --from-trades, a whole number of s, m, h or d that divides a day (5s, 10s, 2m, 4h), got \"\(interval)\""
                        )
                    }
                } else if !MarketSource.intervals.contains(interval) {
                    throw CLIError.invalid(
                        "--interval: expected one of \(MarketSource.intervals.joined(separator: ", ")) (or --from-trades for others)"
                    )
                }
                let market = MarketSource(endpoint: venue, symbol: symbol, interval: fromTrades ? "1m" : interval)
                if let (field, reason) = market.problem() {
                    throw CLIError.invalid("--\(field.split(separator: ".").last ?? "") \(reason)")
                }
                guard let endpoint = BinanceEndpoint.named(venue) else { throw CLIError.invalid("--venue: unknown") }
                let fromMs = try Self.time(from, option: "--from")
                let toMs =
                    try to.map { try Self.time($0, option: "--to") } ?? Int64(Date().timeIntervalSince1970 * 1_000)
                guard fromMs <= toMs else { throw CLIError.invalid("--from is after --to") }
                var logger = Logger(label: "ats-data-download")
                logger.logLevel = .error
                let rest = try BinanceRESTClient(endpoint: endpoint, credentials: nil, logger: logger)
                defer { rest.shutdown() }
                _ = try? await rest.syncClock(samples: 1)
                var text = "timestamp,open,high,low,close,volume\n"
                let count: Int
                do {
                    let write: ([BinanceKline]) async throws -> Void = { page in
                        for k in page {
                            text += "\(k.openTime),\(k.open),\(k.high),\(k.low),\(k.close),\(k.volume)\n"
                        }
                        FileHandle.standardError.write(
                            Data("\r\(symbol) \(interval): through \(Self.iso(page.last!.openTime))".utf8))
                    }
                    count =
                        fromTrades
                        ? try await TradeDownloader(rest: rest).download(
                            symbol: symbol, interval: interval, fromMs: fromMs, toMs: toMs, page: write)
                        : try await KlineDownloader(rest: rest).download(
                            symbol: symbol, interval: interval, fromMs: fromMs, toMs: toMs, page: write)
                } catch let e as VenueRequestError {
                    throw CLIError.invalid("the venue: \(e)")
                }
                FileHandle.standardError.write(Data("\n".utf8))
                guard count > 0 else {
                    throw CLIError.invalid(
                        "the venue has no closed \(interval) candles of \(symbol) in that span\(fromTrades ? " (no trades)" : "")"
                    )
                }
                do { try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
                    throw CLIError.invalid("cannot write \(out): \((error as NSError).localizedDescription)")
                }
                print("wrote \(count) \(interval) candles of \(symbol) to \(out)")
            }
        }

        static func time(_ text: String, option: String) throws -> Int64 {
            if let ms = Int64(text) { return ms }
            if let d = try? Date(text, strategy: .iso8601) { return Int64(d.timeIntervalSince1970 * 1_000) }
            if let d = try? Date(text + "T00:00:00Z", strategy: .iso8601) {
                return Int64(d.timeIntervalSince1970 * 1_000)
            }
            throw CLIError.invalid(
                "\(option): expected YYYY-MM-DD, an ISO-8601 time or epoch milliseconds, got \"\(text)\"")
        }

        static func iso(_ ms: Int64) -> String {
            Date(timeIntervalSince1970: Double(ms) / 1_000).formatted(.iso8601)
        }
    }
}

import ATSFakeVenue
import ArgumentParser
import Foundation
import Logging

/// `ats-venue`: a local stand-in for Binance spot that follows its documented API (REST, the
/// WebSocket API's user data stream, market streams), with faults on demand. For tests and
/// demos on machines that cannot (or must not) reach the real venue.
@main
struct VenueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ats-venue",
        abstract: "A fake Binance spot venue on loopback, following the documented API, with faults on demand.")

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0: any free port; the one taken is printed).") var port = 9_100
    @Option(
        help:
            "A JSON file with the venue's symbols, accounts (API keys, balances), fees and limits (default: BTCUSDT, no accounts)."
    )
    var config: String?
    @Option(help: "Move prices every this many milliseconds (a seeded random walk); 0: only by /_fake/price.")
    var tickMs = 0
    @Option(help: "The price path's seed.") var seed: UInt64 = 1
    @Option(help: "The price path's volatility per step (a fraction).") var volatility = 0.0005

    func run() async throws {
        var configuration = FakeVenueConfiguration()
        if let config {
            do {
                configuration = try JSONDecoder().decode(
                    FakeVenueConfiguration.self, from: Data(contentsOf: URL(fileURLWithPath: config)))
            } catch {
                throw ValidationError("cannot read the venue configuration \(config): \(error)")
            }
        }
        var logger = Logger(label: "ats-venue")
        logger.logLevel = .info
        let venue = FakeVenue(configuration: configuration)
        let server = FakeVenueServer(venue: venue, host: host, port: port, logger: logger)
        let path = tickMs > 0 ? PricePath(interval: .milliseconds(tickMs), volatility: volatility, seed: seed) : nil
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.run { bound in
                    let line =
                        "ats-venue listening on http://\(host):\(bound) (REST /api/v3, WebSocket API /ws-api/v3, streams /ws)\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
            }
            if let path { group.addTask { await path.run(on: venue) } }
            try await group.next()
            group.cancelAll()
        }
    }
}

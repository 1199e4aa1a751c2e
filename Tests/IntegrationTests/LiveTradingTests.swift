import ATSEngine
import ATSShared
import ATSTestSupport
import ATSVenueConnector
import ATSVenues
import Foundation
import Logging
import Testing

/// A live job against the fake venue (its own process), through the whole cluster: the credential
/// stored sealed and opened for the assignment, every order written as an intent the coordinator
/// accepted before it was sent, each placed once, every execution stored once and in the job's
/// fills, and the job stopped by its operator.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct LiveTradingTests {
    static let masterKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()

    static func spec(port: Int) -> JobSpec {
        JobSpec(
            name: "live-1", mode: .live, data: DataSource(path: ""),
            run: RunSpec(
                exchange: .init(symbol: .init(base: "BTC", quote: "USDT"), config: [:]),
                strategy: ComponentRef(
                    namespace: "strategies:simple",
                    config: ["seed": .int(11), "probability": .double(0.5), "max_fraction": .double(0.9)]),
                fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]),
                portfolio: .init(cash: 1_000)),
            market: MarketSource(endpoint: "local:\(port)", symbol: "BTCUSDT", interval: "1s"), credentials: "alice")
    }

    @Test func aLiveJobPlacesEachOrderOnceThroughTheVerdictAndStoresEveryExecutionOnce() async throws {
        let venue = try await FakeVenueProcess(tickMs: 50, volatility: 0.002)
        defer { Task { await venue.stop() } }
        try await TestCluster.with(environment: ["ATS_MASTER_KEY": Self.masterKey]) { cluster in
            let credential = try JSONSerialization.data(withJSONObject: [
                "name": "alice", "key_type": "hmac", "api_key": venue.hmac.apiKey, "secret": venue.hmacSecret,
            ])
            #expect(try await cluster.request("POST", "api/credentials", body: credential).status == 201)
            // A live job naming a credential that does not exist is refused at once.
            var unknown = Self.spec(port: venue.port)
            unknown.name = "live-0"
            unknown.credentials = "nobody"
            let refused = try await cluster.request("POST", "api/jobs", body: unknown.json())
            #expect(refused.status == 400 && String(decoding: refused.body, as: UTF8.self).contains("credentials"))

            try cluster.startWorker("w1")
            let job = try await cluster.create(Self.spec(port: venue.port))
            try await waitUntil("three orders placed", timeout: .seconds(90)) {
                try await venue.placements().byId.count >= 3
            }
            #expect(try await cluster.request("POST", "api/jobs/live-1/stop").status == 200)
            try await waitUntil("stopped", timeout: .seconds(30)) {
                try await cluster.job("live-1").status == .stopped
            }
            #expect(try await cluster.job("live-1").lastError == nil)

            // Each order once at the venue, and each one an intent the coordinator accepted first.
            let placed = try await venue.placements().byId
            #expect(placed.values.allSatisfy { $0 == 1 }, "\(placed)")
            #expect(placed.keys.allSatisfy { $0.hasPrefix(ClientOrderId.prefix(job: job.id)) })
            let orders = try JSONCoding.decoder().decode(
                [OrderRecord].self, from: try await cluster.request("GET", "api/jobs/live-1/orders").body)
            let accepted = Set(orders.filter { $0.state == "accepted" }.map(\.clientOrderId))
            #expect(accepted == Set(placed.keys), "venue \(placed.keys.sorted()), accepted \(accepted.sorted())")
            #expect(orders.allSatisfy { $0.state != "written" && $0.state != "unknown" })
            let cli = try await cluster.ats(["job", "orders", "live-1"])
            let shown = try #require(accepted.first)
            #expect(cli.status == 0 && cli.output.contains(shown) && cli.output.contains("accepted"))

            // Every execution the venue made for the account: in the job's fills, once each.
            let client = try BinanceRESTClient(
                endpoint: venue.endpoint, credentials: venue.hmac, logger: Logger(label: "live-test"))
            try await client.syncClock()
            let trades = try await client.trades(symbol: "BTCUSDT", fromId: 1)
            let fills = try await cluster.fills("live-1")
            #expect(fills.count == trades.count, "\(fills.count) fills stored, \(trades.count) trades at the venue")
            #expect(fills.map(\.seq) == Array(0..<Int64(fills.count)))
            #expect(!trades.isEmpty)
        }
    }
}

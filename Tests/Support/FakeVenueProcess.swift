import ATSVenueConnector
import ATSVenues
import Crypto
import Foundation

/// `ats-venue` running as its own process on loopback, with one HMAC account and one Ed25519
/// account, and its control endpoints at hand. `tickMs` > 0 moves its prices on their own (a
/// seeded random walk), which makes its candles.
public final class FakeVenueProcess: @unchecked Sendable {
    public let process: ChildProcess
    public let port: Int
    public let hmac: BinanceCredentials
    /// The HMAC account's secret, for tests that store it as a credential.
    public let hmacSecret: String
    public let ed25519: BinanceCredentials
    private let control: VenueHTTPClient

    public static let startingUSDT = "10000"
    public static let startingBTC = "1"

    /// `port`: where it listens (a free one by default; on `host`, loopback by default);
    /// `apiKey`/`hmacSecret`: the HMAC account's (new random ones by default), so a test can start
    /// a venue a job already names.
    public init(
        extraConfiguration: [String: Any] = [:], tickMs: Int = 0, volatility: Double = 0.0005, port: Int? = nil,
        host: String = "127.0.0.1", apiKey: String? = nil, hmacSecret: String? = nil
    ) async throws {
        self.port = try port ?? freeFixedPort()
        let secret = hmacSecret ?? (0..<64).map { _ in String("abcdef0123456789".randomElement()!) }.joined()
        self.hmacSecret = secret
        let edKey = Curve25519.Signing.PrivateKey()
        hmac = BinanceCredentials(
            apiKey: apiKey ?? "hmac-" + UUID().uuidString, signer: BinanceSigner(.hmac(secret: secret)))
        ed25519 = BinanceCredentials(
            apiKey: "ed-" + UUID().uuidString, signer: BinanceSigner(.ed25519(rawPrivateKey: edKey.rawRepresentation)))
        let balances = ["USDT": Self.startingUSDT, "BTC": Self.startingBTC]
        var config: [String: Any] = [
            "accounts": [
                ["name": "hmac", "apiKey": hmac.apiKey, "hmacSecret": secret, "balances": balances],
                [
                    "name": "ed", "apiKey": ed25519.apiKey,
                    "ed25519PublicKey": edKey.publicKey.rawRepresentation.base64EncodedString(), "balances": balances,
                ],
            ],
            "pingSeconds": 5,
        ]
        config.merge(extraConfiguration) { $1 }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ats-venue-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("venue.json")
        try JSONSerialization.data(withJSONObject: config).write(to: file)
        process = try ChildProcess(
            "ats-venue", name: "venue", environment: [:],
            arguments: [
                "--host", host, "--port", String(self.port), "--config", file.path, "--tick-ms", String(tickMs),
                "--volatility",
                String(volatility),
            ])
        control = try VenueHTTPClient(baseURL: "http://127.0.0.1:\(self.port)")
        let deadline = ContinuousClock.now + .seconds(20)
        while !process.log.contains("listening") {
            guard process.isRunning, ContinuousClock.now < deadline else {
                throw TestEnvironmentError("ats-venue did not start: \(process.log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    public var endpoint: BinanceEndpoint { .local(port: port) }

    public func inject(_ fault: [String: Any]) async throws {
        let r = try await control.execute(
            method: .POST, target: "/_fake/faults", headers: [("Content-Type", "application/json")],
            body: Array(try JSONSerialization.data(withJSONObject: fault)))
        guard r.status == 200 else { throw TestEnvironmentError("fault refused: \(r.status)") }
    }

    public func setPrice(_ price: String, qty: String? = nil) async throws {
        var move: [String: Any] = ["symbol": "BTCUSDT", "price": price]
        if let qty { move["qty"] = qty }
        _ = try await control.execute(
            method: .POST, target: "/_fake/price", headers: [("Content-Type", "application/json")],
            body: Array(try JSONSerialization.data(withJSONObject: move)))
    }

    /// Holds the price path still (`held`), or lets it walk again: while held, the public market
    /// trades only when `setPrice` moves it, so no resting order executes on its own.
    public func holdWalk(_ held: Bool = true) async throws {
        let r = try await control.execute(
            method: .POST, target: "/_fake/walk", headers: [("Content-Type", "application/json")],
            body: Array(try JSONSerialization.data(withJSONObject: ["held": held])))
        guard r.status == 200 else { throw TestEnvironmentError("walk not held: \(r.status)") }
    }

    /// How many orders the venue accepted under each client order id, and its trade count.
    public func placements() async throws -> (byId: [String: Int], trades: Int) {
        let r = try await control.execute(method: .GET, target: "/_fake/orders")
        let root = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] ?? [:]
        let p = (root["placements"] as? [String: Any] ?? [:]).mapValues { ($0 as? NSNumber)?.intValue ?? 0 }
        return (p, (root["trades"] as? NSNumber)?.intValue ?? 0)
    }

    /// An order as the venue holds it (its control endpoint's view).
    public struct Order: Sendable {
        public var clientOrderId: String
        public var side: String
        public var type: String
        public var status: String
        public var orderListId: Int64
    }

    /// Every order the venue holds, oldest first.
    public func orders() async throws -> [Order] {
        let r = try await control.execute(method: .GET, target: "/_fake/orders")
        let root = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] ?? [:]
        return (root["orders"] as? [[String: Any]] ?? []).map {
            Order(
                clientOrderId: $0["clientOrderId"] as? String ?? "", side: $0["side"] as? String ?? "",
                type: $0["type"] as? String ?? "",
                status: $0["status"] as? String ?? "", orderListId: ($0["orderListId"] as? NSNumber)?.int64Value ?? -1)
        }
    }

    /// The orders the injected order faults hit: client order id → the fault's kind.
    public func faulted() async throws -> [String: String] {
        let r = try await control.execute(method: .GET, target: "/_fake/orders")
        let root = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] ?? [:]
        return (root["faulted"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
    }

    /// Waits until an injected order fault of `kind` has hit an order, and returns that order's
    /// client id (the next order the job sends, whichever it is).
    public func orderHit(by kind: String, timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let id = try await faulted().first(where: { $0.value == kind })?.key { return id }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestEnvironmentError("no order hit by \(kind) within \(timeout)")
    }

    public func stop() async {
        control.shutdown()
        await process.stop()
    }
}

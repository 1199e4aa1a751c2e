import ATSCommon
import ATSEngine
import ATSShared
import ATSVenueConnector
import ATSVenues
import ATSWorker
import ArgumentParser
import Foundation
import Logging

/// Reconciliation of a live job with many orders (issue 17's figure): the fake venue (`ats-venue`,
/// started next to this executable, Binance's request-weight limit of 6,000 a minute) holds
/// `orders` of the job's limit orders; after the job's checkpoint half of them filled, a quarter
/// were cancelled (by hand, or expired), a quarter rest, and the last `inFlight` were sent with
/// no answer the job saw. A resumed run's
/// reconciliation (``LiveReconciler``: the in-flight orders asked by client id, open orders, the
/// trades since the watermark booked in id order, the ended orders asked for their status, the
/// balance check) is timed, with the requests it made.
struct ReconcileBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "Reconciliation of a resumed live job with many orders.")

    @Option(help: "The job's orders at the venue.") var orders = 1_000
    @Option(help: "Of them, sent with no answer seen (settled by client id).") var inFlight = 10

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let secret = String(repeating: "b", count: 64)
        let credentials = BinanceCredentials(apiKey: "bench-key", signer: BinanceSigner(.hmac(secret: secret)))
        let venue = try await VenueProcess.start(apiKey: "bench-key", secret: secret)
        defer { venue.stop() }
        let rest = try BinanceRESTClient(endpoint: .local(port: venue.port), credentials: credentials, logger: logger)
        defer { rest.shutdown() }
        try await rest.syncClock()
        try await venue.control("/_fake/price", ["symbol": "BTCUSDT", "price": "50000"])

        // The job's orders: half to fill (at 49,000), half to rest (at 40,000), of which half are
        // cancelled after the checkpoint.
        let job: Int64 = 7
        var placed: [BinanceOrders.Order] = []
        for k in 0..<orders {
            let id = ClientOrderId(job: job, epoch: 1, sequence: Int64(k))
            let price = k % 4 < 2 ? "49000.00" : "40000.00"
            let params = BinanceOrders.newOrder(
                symbol: "BTCUSDT", side: .buy, type: .limit, timeInForce: .gtc,
                fitted: SymbolFilters.Fitted(quantity: VenueDecimal("0.01")!, price: VenueDecimal(price)!),
                clientOrderId: id, timestampMs: rest.venueNowMs(), recvWindowMs: 5_000)
            let r = try await rest.send(.POST, "/api/v3/order", params, signed: true, weight: 1, isOrder: true)
            let (_, order) = BinanceOrders.response(status: r.status, body: Data(r.body))
            guard let order else { throw ValidationError("order \(k) refused: HTTP \(r.status)") }
            placed.append(order)
        }
        // The checkpoint: every order working, all but the last `inFlight` with their venue ids.
        let registry = Registry.standard
        let spec = RunSpec(
            exchange: .init(symbol: .init(base: "BTC", quote: "USDT")),
            strategy: ComponentRef(namespace: "strategies:noop"),
            portfolio: .init(cash: 10_000_000))
        let run = try registry.resolve(spec)
        let instrument = Instrument(
            base: "BTC", quote: "USDT", tickSize: 0.01, stepSize: 0.00001, minQuantity: 0.00001, minNotional: 5)
        var book = LiveBook(
            session: try registry.makeLiveSession(
                run,
                venue: ExternalVenue(
                    instrument: instrument, wallet: Wallet(base: Balance(free: 0), quote: Balance(free: 10_000_000))),
                checkpoint: nil),
            instrument: instrument, job: job, epoch: 2, lengthMs: 60_000, restored: nil)
        book.startTrades(after: try await rest.latestTradeId(symbol: "BTCUSDT"))
        for o in placed { book.adopt(o) }
        for o in placed.suffix(inFlight) { book.forgetVenueId(of: o.clientOrderId) }
        let prior = Dictionary(
            uniqueKeysWithValues: placed.suffix(inFlight).map {
                ($0.clientOrderId, PriorIntent(clientOrderId: $0.clientOrderId, state: "written"))
            })
        // After the checkpoint: the market trades through 49,000, and a quarter are cancelled.
        try await venue.control("/_fake/price", ["symbol": "BTCUSDT", "price": "48900"])
        var canceled = 0
        for (k, o) in placed.enumerated() where k % 4 == 3 {
            guard let id = ClientOrderId(o.clientOrderId) else { continue }
            _ = try await rest.cancelOrder(symbol: "BTCUSDT", clientOrderId: id)
            canceled += 1
        }

        let requestsBefore = rest.requestCount
        let reconciler = LiveReconciler(
            rest: rest, symbol: "BTCUSDT", job: job, began: ContinuousClock.now - .seconds(60), logger: logger)
        let start = ContinuousClock.now
        let settled = try await reconciler.settleInFlight(&book, prior: prior)
        let afterInFlight = ContinuousClock.now
        try await reconciler.refill(&book)
        let afterRefill = ContinuousClock.now
        let problem = try await reconciler.unexplainedBalance(book)
        let end = ContinuousClock.now
        let fills = book.unsentFills.count
        guard fills == orders / 2, book.working.count == orders - orders / 2 - canceled, problem == nil else {
            throw ValidationError(
                "reconciled wrongly: \(fills) fills, \(book.working.count) working, balance: \(problem ?? "ok")")
        }
        func ms(_ d: Duration) -> Double { d.seconds * 1e3 }
        print(
            String(
                format:
                    "reconcile %d orders (%d in flight, %d filled and %d cancelled since the checkpoint, %d resting): %.0f ms total — in flight %.0f ms, open orders + trades + ended orders %.0f ms, balances %.0f ms; %d requests, %d fills booked, %d resolutions",
                orders, inFlight, orders / 2, canceled, book.working.count, ms(end - start), ms(afterInFlight - start),
                ms(afterRefill - afterInFlight), ms(end - afterRefill), rest.requestCount - requestsBefore, fills,
                settled.count))
    }
}

/// `ats-venue` from this executable's directory, on a free port, with one account and Binance's
/// request weight limit (orders per 10 s raised: the setup places many).
struct VenueProcess {
    let process: Process
    let port: Int

    static func start(apiKey: String, secret: String) async throws -> VenueProcess {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let config: [String: Any] = [
            "accounts": [
                [
                    "name": "bench", "apiKey": apiKey, "hmacSecret": secret,
                    "balances": ["USDT": "100000000", "BTC": "1000"],
                ]
            ],
            "ordersPer10s": 100_000, "weightPerMinute": 6_000,
        ]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ats-bench-venue-\(getpid()).json")
        try JSONSerialization.data(withJSONObject: config).write(to: file)
        let port = Int.random(in: 20_000..<30_000)
        let p = Process()
        p.executableURL = dir.appendingPathComponent("ats-venue")
        p.arguments = ["--port", String(port), "--config", file.path, "--tick-ms", "0"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let venue = VenueProcess(process: p, port: port)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if (try? await venue.control("/api/v3/ping", nil)) != nil { return venue }
            try await Task.sleep(for: .milliseconds(50))
        }
        p.terminate()
        throw ValidationError("ats-venue did not start (is it built next to ats-bench?)")
    }

    /// A GET (no body) or a POST of JSON to the venue.
    func control(_ path: String, _ body: [String: Any]?) async throws {
        let client = try VenueHTTPClient(baseURL: "http://127.0.0.1:\(port)")
        defer { client.shutdown() }
        let r = try await client.execute(
            method: body == nil ? .GET : .POST, target: path,
            headers: body == nil ? [] : [("Content-Type", "application/json")],
            body: body.map { Array(try! JSONSerialization.data(withJSONObject: $0)) } ?? [])
        guard (200..<300).contains(r.status) else { throw ValidationError("\(path): HTTP \(r.status)") }
    }

    func stop() { process.terminate() }
}

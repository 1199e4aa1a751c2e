import ATSDatabase
import ATSEngine
import ATSShared
import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// Fills per second persisted by a coordinator process from worker connections (fake workers in
/// this process speaking the real protocol, with an outbox-like window of unacked messages), next
/// to PostgreSQL's raw `COPY` of the same rows into the same table.
struct FillsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fills", abstract: "Fill persistence rate against raw COPY.")

    @Option(help: "A database the bench may wipe (default: DATABASE_URL).") var databaseURL: String?
    @Option(help: "The coordinator executable.") var coordinator: String = ".build-release/release/ats-coordinator"
    @Option(help: "Worker connections.") var workers: Int = 2
    @Option(help: "Fills in all.") var fills: Int = 1_000_000
    @Option(help: "Fills per FillBatch.") var batch: Int = 2000
    @Option(help: "Unacked messages per connection.") var window: Int = 16

    func run() async throws {
        guard let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"] else {
            throw ValidationError("give --database-url or DATABASE_URL (a database the bench may wipe)")
        }
        let token = "bench-token-" + UUID().uuidString
        let port = Int.random(in: 20_000...40_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: coordinator)
        process.environment = [
            "DATABASE_URL": url, "ATS_WORKER_TOKEN": token, "ATS_ADMIN_TOKEN": token, "ATS_WORKER_PORT": "\(port)",
            "ATS_HTTP_PORT": "\(port + 1)", "LOG_LEVEL": "warning", "ATS_ENV_FILE": "/nonexistent",
            "PATH": "/usr/bin:/bin",
        ]
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        try process.run()
        defer { process.terminate() }

        let logger = Logger(label: "bench")
        let client = PostgresClient(configuration: try DatabaseURL.configuration(url), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            // Wait for the coordinator's migrations, then make one running job per connection.
            for _ in 0..<200 {
                if (try? await client.query("SELECT 1 FROM jobs LIMIT 1")) != nil { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await client.query("TRUNCATE jobs, fills, checkpoints, job_events RESTART IDENTITY CASCADE")
            for w in 0..<workers {
                try await client.query(
                    """
                    INSERT INTO jobs (id, name, mode, spec, status, epoch, lease_owner, lease_expires_at)
                    VALUES (\(Int64(w + 1)), \("bench-\(w)"), 'backtest', '{}'::jsonb, 'running', 1, \("bench-w\(w)"), now() + interval '1 hour')
                    """)
            }
            try await Task.sleep(for: .milliseconds(300))
            let perWorker = fills / workers
            let watch = Stopwatch()
            try await withThrowingTaskGroup(of: Void.self) { senders in
                for w in 0..<workers {
                    senders.addTask {
                        try await FakeWorker(port: port, token: token, id: "bench-w\(w)", job: Int64(w + 1)).send(
                            fills: perWorker, batch: batch, window: window)
                    }
                }
                try await senders.waitForAll()
            }
            let seconds = watch.seconds
            var stored = 0
            for try await n in try await client.query("SELECT count(*) FROM fills").decode(Int64.self) {
                stored = Int(n)
            }
            guard stored == perWorker * workers else {
                throw ValidationError("stored \(stored) fills, sent \(perWorker * workers)")
            }
            let rate = Double(stored) / seconds
            print(
                String(
                    format: "coordinator: %d fills from %d connections in %.3f s = %.0f fills/s (batch %d, window %d)",
                    stored, workers, seconds, rate, batch, window))

            // Raw COPY of the same rows.
            try await client.query("TRUNCATE fills")
            let csvPath = FileManager.default.temporaryDirectory.appendingPathComponent("ats-bench-fills.csv").path
            var csv = ""
            csv.reserveCapacity(stored * 80)
            for w in 0..<workers {
                for seq in 0..<perWorker {
                    let f = FakeWorker.fill(Int64(seq))
                    csv +=
                        "\(w + 1),\(f.seq),1,\(f.orderId),\(f.time),\(f.barIndex),\(f.side.rawValue),\(f.price),\(f.quantity),\(f.feeBase),\(f.feeQuote),\(f.liquidity.rawValue),\(f.tag)\n"
                }
            }
            _ = FileManager.default.createFile(atPath: csvPath, contents: Data(csv.utf8))
            let psql = Process()
            psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
            psql.arguments = [
                url, "-q", "-c",
                "COPY fills (job_id, seq, epoch, order_id, time_ms, bar_index, side, price, quantity, fee_base, fee_quote, liquidity, tag) FROM STDIN WITH (FORMAT csv)",
            ]
            psql.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: csvPath))
            let copyWatch = Stopwatch()
            try psql.run()
            psql.waitUntilExit()
            let copySeconds = copyWatch.seconds
            var copied = 0
            for try await n in try await client.query("SELECT count(*) FROM fills").decode(Int64.self) {
                copied = Int(n)
            }
            let copyRate = Double(copied) / copySeconds
            print(String(format: "raw COPY:    %d rows in %.3f s = %.0f rows/s", copied, copySeconds, copyRate))
            print(String(format: "ratio:       %.0f%% of raw COPY", rate / copyRate * 100))
            try? FileManager.default.removeItem(atPath: csvPath)
        }
    }
}

/// A worker that only sends fills, as fast as its window of unacked messages allows.
struct FakeWorker {
    let port: Int
    let token: String
    let id: String
    let job: Int64

    static func fill(_ seq: Int64) -> Fill {
        Fill(
            seq: seq, orderId: seq / 2, time: 1_700_000_000_000 + seq * 60_000, barIndex: Int(seq) * 7,
            side: seq % 2 == 0 ? .buy : .sell, price: 100 + Double(seq % 1000) / 100, quantity: 0.5, feeBase: 0,
            feeQuote: 0.05, liquidity: .taker, tag: seq % 2 == 0 ? "long" : "exit")
    }

    func send(fills: Int, batch: Int, window: Int) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addWireProtocolHandlers()
                    return try NIOAsyncChannel<WireMessage, WireMessage>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var messages = inbound.makeAsyncIterator()
            guard case .challenge(let challenge) = try await messages.next() else {
                throw ValidationError("\(id): no challenge")
            }
            try await outbound.write(
                .hello(
                    Hello(
                        answering: challenge, secret: token, workerId: id, host: "bench", capacity: 1, labels: [],
                        running: [JobLease(jobId: job, epoch: 1)], softwareVersion: "", instance: id)))
            guard case .welcome = try await messages.next() else { throw ValidationError("\(id): not welcomed") }
            let total = (fills + batch - 1) / batch
            var sent = 0
            var acked: UInt64 = 0
            while acked < UInt64(total) {
                while sent < total && UInt64(sent) - acked < UInt64(window) {
                    let first = Int64(sent * batch)
                    let batchFills = (first..<min(Int64(fills), first + Int64(batch))).map(Self.fill)
                    sent += 1
                    try await outbound.write(
                        .fills(
                            FillBatch(
                                header: JobHeader(jobId: job, epoch: 1, messageSeq: UInt64(sent)), fills: batchFills)))
                }
                guard let reply = try await messages.next() else { throw ValidationError("\(id): connection closed") }
                if case .ack(let a) = reply { acked = max(acked, a.messageSeq) }
            }
        }
    }
}

import ATSShared
import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// The dashboard's live updates: one poller per coordinator, however many browsers watch.
/// Every `interval` it reads the jobs PostgreSQL changed since its last look (with an overlap
/// for transactions that committed late; rows it has already sent unchanged are skipped), the
/// audit events after the last one sent, and the new log lines; each kind is encoded once per
/// tick and the same bytes go to every subscriber of that topic as server-sent events.
/// Subscribers that do not keep up lose the oldest pending ticks, never the connection: the page
/// reloads what it shows when it sees a gap (`resync`).
actor LiveFeed {
    enum Topic: String, Sendable, CaseIterable {
        case jobs, events, logs
    }

    let client: PostgresClient
    let logs: LogBuffer
    let logger: Logger
    let interval: Duration

    private var subscribers: [UInt64: (topics: Set<Topic>, continuation: AsyncStream<ByteBuffer>.Continuation)] = [:]
    private var nextId: UInt64 = 0
    private var sent: [Int64: JobChange] = [:]
    private var watermark: Date?
    private var lastEvent: Int64?
    /// Subscribers taking the baseline (``subscribe(_:)``), not yet in `subscribers`.
    private var joining = 0
    private var lastLog: Int64
    private var closed = false

    /// Ticks sent, and jobs and events sent in them (the bench reads these).
    private(set) var ticks = 0

    init(client: PostgresClient, logs: LogBuffer, logger: Logger, interval: Duration = .milliseconds(500)) {
        self.client = client
        self.logs = logs
        self.logger = logger
        self.interval = interval
        lastLog = logs.nextSeq - 1
    }

    /// A stream of server-sent event frames for these topics; it ends when the coordinator shuts
    /// down or the subscriber goes away. Everything that changes after the first frame (`hello`)
    /// comes through it: a client loads what it shows once it has seen `hello`.
    func subscribe(_ topics: Set<Topic>) async -> AsyncStream<ByteBuffer> {
        if watermark == nil || lastEvent == nil {
            // The first subscriber: take the baseline now, not at the next tick. The poll loop
            // must not forget it meanwhile (it starts afresh while nobody watches, and this actor
            // runs it between the baseline's awaits): an event written after `hello` would be
            // lost under a baseline taken again later.
            joining += 1
            defer { joining -= 1 }
            _ = try? await changedJobs()
            _ = try? await newEvents()
            lastLog = logs.nextSeq - 1
        }
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(64))
        if closed {
            continuation.finish()
            return stream
        }
        nextId += 1
        let id = nextId
        subscribers[id] = (topics, continuation)
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        continuation.yield(Self.frame(event: "hello", data: Data(#"{"interval_ms":\#(interval.milliseconds)}"#.utf8)))
        return stream
    }

    private func unsubscribe(_ id: UInt64) { subscribers[id] = nil }

    var subscriberCount: Int { subscribers.count }

    /// Polls until graceful shutdown, then ends every subscriber's stream.
    func run() async {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                if !subscribers.isEmpty {
                    do { try await tick() } catch {
                        logger.debug("live feed poll failed", metadata: ["error": "\(error)"])
                    }
                } else if joining == 0 {
                    // Nobody watches: start afresh (no backlog) when somebody does.
                    watermark = nil
                    lastEvent = nil
                    sent.removeAll()
                    lastLog = logs.nextSeq - 1
                }
                try? await Task.sleep(for: interval)
            }
            close()
        } onGracefulShutdown: {
            Task { await self.close() }
        }
    }

    private func close() {
        closed = true
        for (_, s) in subscribers { s.continuation.finish() }
        subscribers.removeAll()
    }

    /// One look at the database and the log buffer; sends what changed.
    func tick() async throws {
        let wanted = subscribers.values.reduce(into: Set<Topic>()) { $0.formUnion($1.topics) }
        var frames: [Topic: ByteBuffer] = [:]
        if wanted.contains(.jobs) || watermark == nil {
            let changes = try await changedJobs()
            if !changes.isEmpty {
                frames[.jobs] = Self.frame(event: "jobs", data: try JSONCoding.encoder().encode(changes))
            }
        }
        if wanted.contains(.events) {
            let events = try await newEvents()
            if !events.isEmpty {
                frames[.events] = Self.frame(event: "events", data: try JSONCoding.encoder().encode(events))
            }
        }
        if wanted.contains(.logs) {
            let lines = logs.lines(after: lastLog, limit: 500)
            if let last = lines.last {
                lastLog = last.seq
                frames[.logs] = Self.frame(event: "logs", data: try JSONCoding.encoder().encode(lines))
            }
        }
        ticks += 1
        // A comment line now and then: a subscriber whose client vanished without closing (a
        // killed browser, a dropped link) is found by the failed write and forgotten; proxies
        // keep an idle stream open.
        if ticks % 30 == 0 {
            var ping = ByteBuffer()
            ping.writeString(": keepalive\n\n")
            for (_, s) in subscribers { s.continuation.yield(ping) }
        }
        guard !frames.isEmpty else { return }
        for (_, s) in subscribers {
            for topic in s.topics { if let f = frames[topic] { s.continuation.yield(f) } }
        }
    }

    /// Jobs updated since the last look (minus an overlap of two seconds) that differ from what
    /// was sent. The first look only sets the watermark: pages load the current state themselves.
    private func changedJobs() async throws -> [JobChange] {
        var now = Date()
        for try await d in try await client.query("SELECT now()", logger: logger).decode(Date.self) { now = d }
        guard let since = watermark else {
            watermark = now
            return []
        }
        let rows = try await client.query(
            """
            WITH changed AS (
                SELECT id FROM jobs WHERE updated_at > \(since) - interval '2 seconds'
                UNION SELECT job_id FROM job_progress WHERE updated_at > \(since) - interval '2 seconds')
            SELECT jobs.id, name, status, desired_state, lease_owner, coalesce(p.bars_done, 0),
                coalesce(p.bars_total, 0), p.equity, last_error, \(unescaped: JobRow.updatedAt)
            FROM \(unescaped: JobRow.source) WHERE jobs.id IN (SELECT id FROM changed) AND jobs.sweep_id IS NULL
            """, logger: logger)
        var changes: [JobChange] = []
        for try await t in rows.decode(
            (Int64, String, String, String, String?, Int64, Int64, Double?, String?, Date).self)
        {
            let change = JobChange(
                id: t.0, name: t.1, status: t.2, desiredState: t.3, worker: t.4, barsDone: t.5, barsTotal: t.6,
                equity: t.7, lastError: t.8, updatedAt: t.9)
            if sent[t.0] != change {
                sent[t.0] = change
                changes.append(change)
            }
        }
        watermark = now
        return changes
    }

    private func newEvents() async throws -> [JobEvent] {
        if lastEvent == nil {
            let rows = try await client.query("SELECT coalesce(max(id), 0) FROM job_events", logger: logger)
            for try await id in rows.decode(Int64.self) { lastEvent = id }
            return []
        }
        let rows = try await client.query(
            """
            SELECT id, job_id, job_name, at, actor, kind, detail FROM job_events WHERE id > \(lastEvent ?? 0)
            ORDER BY id LIMIT 500
            """, logger: logger)
        var out: [JobEvent] = []
        for try await (id, jobId, name, at, actor, kind, detail) in rows.decode(
            (Int64, Int64?, String, Date, String, String, String).self)
        {
            out.append(JobEvent(id: id, jobId: jobId, jobName: name, at: at, actor: actor, kind: kind, detail: detail))
            lastEvent = id
            if kind == "deleted", let jobId { sent[jobId] = nil }
        }
        return out
    }

    /// `event: NAME\ndata: JSON\n\n` (JSON has no raw newlines).
    static func frame(event: String, data: Data) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeString("event: \(event)\ndata: ")
        b.writeBytes(data)
        b.writeString("\n\n")
        return b
    }
}

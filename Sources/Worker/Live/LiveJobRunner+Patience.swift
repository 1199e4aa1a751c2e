import ATSVenueConnector
import ATSVenues

/// A live run was asked to stop or give the job back, or lost its lease, while it waited for the
/// venue.
struct LiveRunInterrupted: Error {}

extension LiveJobRunner {
    typealias Interrupted = LiveRunInterrupted

    /// Whether the run should stop waiting: stopped, released or fenced (a halt waits: the kill
    /// needs the orders settled).
    var mustLeave: Bool {
        switch control.request {
        case .stop, .release: true
        case .none, .halt: !lease.isValid(generation: generation)
        }
    }

    /// A venue call the run cannot go on without, retried while the venue does not answer (an
    /// outage, a restart, a network cut): the job waits, RECONCILING, instead of failing; the
    /// wait backs off to 30 s. Ends with ``Interrupted`` when the job is stopped or released or
    /// its lease lapses. Only for calls that are safe to repeat (they place nothing).
    func untilAnswered<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        var delay = Duration.seconds(1)
        while true {
            do {
                return try await body()
            } catch let error as VenueRequestError {
                guard case .noAnswer = error else { throw error }
                guard !mustLeave else { throw Interrupted() }
                logger.warning(
                    "the venue does not answer: waiting",
                    metadata: ["for": "\(what)", "retry_in": "\(delay)", "error": "\(error)"])
                try await clock.sleep(for: delay)
                delay = min(delay * 2, .seconds(30))
            }
        }
    }

    /// Runs `body` (an order's placement) while the lease holds, and cancels it at the lapse: a
    /// fenced run waits for nothing it sent — the placement ends `unknown` at worst, and the
    /// successor settles the order by its client id — so the run stops before the coordinator
    /// may hand the job on, not when the venue answers. Two plain tasks, not a task group: the
    /// group form of this (generic over the result) crashed the worker with SIGSEGV under Swift
    /// 6.3.1 at the first placement.
    func whileLeaseHolds<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let lease = self.lease
        let generation = self.generation
        let clock = self.clock
        let placing = Task { try await body() }
        let watcher = Task {
            while lease.isValid(generation: generation) {
                guard (try? await clock.sleep(for: lease.remaining() + .milliseconds(1))) != nil else { return }
            }
            placing.cancel()
        }
        defer { watcher.cancel() }
        return try await withTaskCancellationHandler {
            try await placing.value
        } onCancel: {
            placing.cancel()
        }
    }

    /// Asks the venue to cancel the job's order, while the lease holds (a fenced run changes
    /// nothing at the venue: the successor owns the job's orders).
    func cancelAtVenue(_ clientOrderId: ClientOrderId, symbol: String, rest: BinanceRESTClient) async {
        guard lease.isValid(generation: generation) else { return }
        _ = try? await rest.cancelOrder(symbol: symbol, clientOrderId: clientOrderId)
    }
}

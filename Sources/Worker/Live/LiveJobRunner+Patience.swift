import ATSVenueConnector

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
}

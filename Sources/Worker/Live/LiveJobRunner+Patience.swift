import ATSVenueConnector

extension LiveJobRunner {
    /// The run was asked to stop or give the job back, or lost its lease, while it waited for the
    /// venue.
    struct Interrupted: Error {}

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
                guard control.request == .none, lease.isValid(generation: generation) else { throw Interrupted() }
                logger.warning(
                    "the venue does not answer: waiting",
                    metadata: ["for": "\(what)", "retry_in": "\(delay)", "error": "\(error)"])
                try await clock.sleep(for: delay)
                delay = min(delay * 2, .seconds(30))
            }
        }
    }
}

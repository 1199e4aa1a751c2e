import ATSShared

/// The job life cycle as a pure function: which event moves which status where. The store's SQL
/// updates are conditioned on exactly these source states, so concurrent events cannot skip a step.
public enum JobStateMachine {
    public enum Event: Sendable, Hashable {
        case assign
        case started
        case completed
        case stoppedByWorker
        case failed
        /// The worker died, disconnected or missed its heartbeats.
        case leaseLost(desired: DesiredState)
        case stopRequested
        case startRequested
        case reloadRequested
        case deleteRequested
    }

    public enum Outcome: Sendable, Hashable {
        /// Move to this status.
        case transition(JobStatus)
        /// Accepted, the status stays (e.g. stop of a running job: the worker is told, and reports).
        case unchanged
        case refused(String)
    }

    public static func apply(_ event: Event, to status: JobStatus) -> Outcome {
        switch (event, status) {
        case (.assign, .pending): return .transition(.assigned)
        case (.started, .assigned): return .transition(.running)
        case (.completed, .assigned), (.completed, .running): return .transition(.completed)
        case (.stoppedByWorker, .assigned), (.stoppedByWorker, .running): return .transition(.stopped)
        case (.failed, .assigned), (.failed, .running): return .transition(.failed)
        case (.leaseLost(let desired), .assigned), (.leaseLost(let desired), .running):
            return .transition(desired == .running ? .pending : .stopped)
        case (.stopRequested, .pending): return .transition(.stopped)
        case (.stopRequested, .assigned), (.stopRequested, .running): return .unchanged
        case (.stopRequested, _): return .refused("the job is already \(status.rawValue)")
        case (.startRequested, .stopped), (.startRequested, .failed): return .transition(.pending)
        case (.startRequested, .completed): return .refused("the job has completed; create a new job to run it again")
        case (.startRequested, _): return .refused("the job is already \(status.rawValue)")
        case (.reloadRequested, .completed): return .refused("the job has completed")
        case (.reloadRequested, _): return .unchanged
        case (.deleteRequested, _) where status.isActive:
            return .refused("the job is \(status.rawValue); stop it first")
        case (.deleteRequested, _): return .unchanged
        default: return .refused("\(event) is not valid for a \(status.rawValue) job")
        }
    }

    /// The statuses an event applies to: the `WHERE status IN (…)` of its SQL update.
    public static func sources(of event: Event) -> [JobStatus] {
        JobStatus.allCases.filter {
            if case .refused = apply(event, to: $0) { return false }
            return true
        }
    }
}

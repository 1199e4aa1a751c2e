import ServiceLifecycle

/// A part of the coordinator in its service group: it starts once its gate opens (the database
/// is migrated), and not at all if the group shuts down first; without a gate, at once.
struct CoordinatorPart: Service {
    let name: String
    var gate: StartGate?
    let body: @Sendable () async throws -> Void

    func run() async throws {
        if let gate {
            await cancelWhenGracefulShutdown { await gate.wait() }
            guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        }
        try await body()
    }
}

extension CoordinatorPart: CustomStringConvertible {
    var description: String { name }
}

import ATSShared

/// The coordinator's verdicts on order intents, handed to the runs waiting for them by client
/// order id. A verdict may come before its run starts waiting (it is kept), or never (the run
/// gives up when cancelled, and sends nothing).
actor IntentVerdicts {
    private var waiting: [String: CheckedContinuation<IntentVerdict?, Never>] = [:]
    private var early: [String: IntentVerdict] = [:]

    func deliver(_ v: IntentVerdict) {
        if let w = waiting.removeValue(forKey: v.clientOrderId) {
            w.resume(returning: v)
        } else {
            early[v.clientOrderId] = v
        }
    }

    /// The verdict on `clientOrderId`, or nil if the waiting task is cancelled first.
    func wait(for clientOrderId: String) async -> IntentVerdict? {
        if let v = early.removeValue(forKey: clientOrderId) { return v }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { c in
                if Task.isCancelled {
                    c.resume(returning: nil)
                } else {
                    waiting[clientOrderId] = c
                }
            }
        } onCancel: {
            Task { await self.cancel(clientOrderId) }
        }
    }

    private func cancel(_ clientOrderId: String) {
        waiting.removeValue(forKey: clientOrderId)?.resume(returning: nil)
    }

    var waitingCount: Int { waiting.count }
}

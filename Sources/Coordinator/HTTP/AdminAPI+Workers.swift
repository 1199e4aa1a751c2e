import ATSShared
import Hummingbird

/// `POST /api/workers/:worker/drain`: the worker gets no new job, and each job it runs
/// checkpoints and is given back, to resume on another worker. `…/undrain` lets it take jobs
/// again. Both are in the audit trail; the worker process keeps running.
extension AdminAPI {
    func addWorkerRoutes(to api: RouterGroup<APIContext>) {
        api.post("/workers/:worker/drain") { request, context -> WorkerRecord in
            try await drain(context.parameters.require("worker"), true, actor: actor(request, context))
        }
        api.post("/workers/:worker/undrain") { request, context -> WorkerRecord in
            try await drain(context.parameters.require("worker"), false, actor: actor(request, context))
        }
    }

    func drain(_ worker: String, _ drained: Bool, actor: String) async throws -> WorkerRecord {
        let leases = try await mapped { try await store.setDrained(worker: worker, drained, actor: actor) }
        await hub.setDraining(worker, drained)
        if drained {
            for lease in leases {
                await hub.send(
                    .stop(StopJob(jobId: lease.jobId, epoch: lease.epoch, reason: "worker drained", release: true)),
                    to: worker)
            }
        }
        scheduler.trigger()
        guard let record = try await store.workers().first(where: { $0.id == worker }) else {
            throw APIError(.notFound, code: "not_found", "no worker \"\(worker)\"")
        }
        return record
    }
}

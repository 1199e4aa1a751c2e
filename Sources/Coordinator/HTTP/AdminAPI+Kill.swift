import ATSShared
import Foundation
import Hummingbird

/// The kill switch (docs/LIVE.md "Kill switch"): `POST /api/jobs/{job}/kill` holds a live job
/// (`{"flatten": true}` also trades its position back to its allocation), `DELETE` releases it;
/// `POST /api/kill` holds every live job, `DELETE /api/kill` (an admin) releases them, `GET` says
/// whether it is thrown.
extension AdminAPI {
    func addKillRoutes(to api: RouterGroup<APIContext>) {
        api.post("/jobs/:job/kill") { request, context in
            let body = try await Self.killRequest(request, context)
            let job = try await mapped {
                try await store.kill(
                    job: context.parameters.require("job"), flatten: body.flatten, actor: actor(request, context))
            }
            scheduler.trigger()
            return job
        }
        api.delete("/jobs/:job/kill") { request, context in
            try await mapped {
                try await store.releaseKill(job: context.parameters.require("job"), actor: actor(request, context))
            }
        }
        api.get("/kill") { _, _ in try await Self.state(store) }
        api.post("/kill") { request, context in
            let body = try await Self.killRequest(request, context)
            let held = try await store.killAll(flatten: body.flatten, actor: actor(request, context))
            scheduler.trigger()
            var state = try await Self.state(store)
            state.held = held
            return state
        }
        api.delete("/kill") { request, context in
            try await store.releaseAll(actor: actor(request, context))
            return try await Self.state(store)
        }
    }

    static func killRequest(_ request: Request, _ context: APIContext) async throws -> KillRequest {
        let body = try await request.body.collect(upTo: 4_096)
        guard body.readableBytes > 0 else { return KillRequest() }
        do {
            return try JSONDecoder().decode(KillRequest.self, from: Data(buffer: body))
        } catch {
            throw APIError(.badRequest, code: "invalid_request", "expected {\"flatten\": true|false}", field: "flatten")
        }
    }

    static func state(_ store: JobStore) async throws -> KillSwitchState {
        guard let halt = try await store.clusterHalt() else { return KillSwitchState(thrown: false) }
        return KillSwitchState(thrown: true, reason: halt.reason, flatten: halt.flatten, at: halt.at)
    }
}

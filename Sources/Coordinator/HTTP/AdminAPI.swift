import ATSEngine
import ATSShared
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The coordinator's HTTP admin API (JSON), used by the `ats` CLI and the web UI. Every route but
/// `/healthz` needs the admin token. Routes are described in docs/openapi.yaml
/// (OpenAPITests checks the two agree).
struct AdminAPI {
    let store: JobStore
    let hub: WorkerHub
    let scheduler: SchedulerService
    let registry: Registry
    let adminToken: String
    let leadership: Leadership
    let metrics: MetricsEndpoint
    let sessions: SessionSettings
    let feed: LiveFeed
    let logs: LogBuffer
    /// Seals venue credentials (nil: no master key configured, no credentials accepted).
    let vault: CredentialVault?
    /// The secrets workers sign data set requests with (those of their hello).
    let workerSecrets: WorkerSecrets
    /// The largest bar file `POST /api/datasets` takes.
    let datasetMaxBytes: Int
    /// Data set registrations at once (each holds its file in memory).
    let uploads = HashGate(limit: 1)
    /// Puts data sets in the object store (nil: none configured).
    let mirror: DatasetMirror?
    let logger: Logger
    /// `ats job divergence`'s replays, off the cooperative threads and kept while current.
    let replays = DivergenceReplays()
    /// Sweeps' trials run again for their equity curves, off the cooperative threads.
    let trialCurves = TrialCurves()
    /// Sweep reports kept per sweep, size and stored chunks.
    let reports = SweepReports()

    /// Dashboard session settings.
    struct SessionSettings: Sendable {
        var ttl: Duration
        var secureCookies: Bool
        let throttle = LoginThrottle()
        /// Password hashes at once: half the cores (at least one), the rest stay for the work.
        let gate = HashGate(limit: ProcessInfo.processInfo.activeProcessorCount / 2)
        /// How often a signed-in user's live stream checks that its session still lives.
        var streamCheck: Duration = .seconds(2)
    }

    var auth: AuthMiddleware { AuthMiddleware(token: adminToken, store: store, sessionTTL: sessions.ttl) }

    func router() -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        // Outermost: whatever a route throws that it did not translate is logged and explained.
        router.add(middleware: InternalErrorMiddleware(logger: logger))
        // Requests counted and timed per route (Hummingbird's swift-metrics middleware).
        router.add(middleware: MetricsMiddleware())
        router.get("/healthz") { _, _ in try await health() }
        // Every coordinator's own metrics (a standby reports its role), with the admin token
        // (Prometheus: `authorization: {credentials: <token>}` in the scrape config).
        router.group("/metrics").add(middleware: BearerAuthMiddleware(token: adminToken)).get { _, _ in
            try await metrics.scrape()
        }
        addDashboardRoutes(to: router)
        addSessionRoutes(to: router)
        addWorkerDatasetRoutes(to: router)
        addWorkerModelRoutes(to: router)
        let api = router.group("/api").add(middleware: auth)
            .add(middleware: LeaderRedirectMiddleware(leadership: leadership))
        addStreamRoutes(to: api)
        addCredentialRoutes(to: api)
        addKillRoutes(to: api)
        addDatasetRoutes(to: api)
        addModelRoutes(to: api)
        addSweepRoutes(to: api)
        api.get("/jobs") { request, _ in try await jobPage(request) }
        api.post("/jobs") { request, context -> EditedResponse<JobRecord> in
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            var spec: JobSpec
            do {
                spec = try JobSpec.decode(json: Data(buffer: body))
            } catch { throw APIError(error) }
            do {
                spec = try await pinModel(spec).normalized(with: registry)
            } catch let e as APIError { throw e } catch { throw APIError(error) }
            // A live job's credential must exist now (it is opened when the job is assigned).
            if spec.mode == .live, let name = spec.credentials, try await store.sealedCredential(name) == nil {
                throw APIError(
                    .badRequest, code: "invalid_spec", "no credential named \"\(name)\" (ats credentials list)",
                    field: "credentials")
            }
            let record = try await mapped { try await store.create(spec, actor: actor(request, context)) }
            scheduler.trigger()
            return EditedResponse(status: .created, response: record)
        }
        api.get("/jobs/:job") { _, context in
            withWaiting(try await mapped { try await store.job(context.parameters.require("job")) })
        }
        api.delete("/jobs/:job") { request, context in
            try await mapped {
                try await store.request(
                    .deleteRequested, job: context.parameters.require("job"), actor: actor(request, context),
                    registry: registry)
            }
        }
        api.post("/jobs/:job/start") { request, context in
            let job = try await mapped {
                try await store.request(
                    .startRequested, job: context.parameters.require("job"), actor: actor(request, context),
                    registry: registry)
            }
            scheduler.trigger()
            return job
        }
        api.post("/jobs/:job/stop") { request, context in
            let job = try await mapped {
                try await store.request(
                    .stopRequested, job: context.parameters.require("job"), actor: actor(request, context),
                    registry: registry)
            }
            scheduler.trigger()
            return job
        }
        api.post("/jobs/:job/reload") { request, context in
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            let reload: ReloadRequest
            do {
                reload = try JSONDecoder().decode(ReloadRequest.self, from: Data(buffer: body))
            } catch let e as DecodingError {
                throw APIError(SpecError(decoding: e))
            }
            // A strategy that runs a model is pinned to the model's hash, as when created.
            var config = reload.config
            if var current = try? await store.job(context.parameters.require("job")).spec {
                current.run.strategy.config = config
                config = try await pinModel(current).run.strategy.config
            }
            let newConfig = config
            let job = try await mapped {
                try await store.request(
                    .reloadRequested, job: context.parameters.require("job"), actor: actor(request, context),
                    newStrategyConfig: newConfig, registry: registry)
            }
            // The new revision is stored; the scheduler hands it to the job's worker.
            scheduler.trigger()
            return job
        }
        api.get("/jobs/:job/fills") { request, context in
            let after = request.uri.queryParameters.get("after", as: Int64.self) ?? -1
            let limit = min(request.uri.queryParameters.get("limit", as: Int.self) ?? 10_000, 100_000)
            return try await mapped {
                try await store.fills(job: context.parameters.require("job"), after: after, limit: limit)
            }
        }
        api.get("/jobs/:job/checkpoints") { _, context in
            try await mapped { try await store.checkpoints(job: context.parameters.require("job")) }
        }
        api.get("/jobs/:job/orders") { _, context in
            try await mapped { try await store.orders(job: context.parameters.require("job")) }
        }
        api.get("/jobs/:job/divergence") { _, context in
            let recording = try await mapped { try await store.recording(job: context.parameters.require("job")) }
            // The models it ran (definition and revisions), readable here after a restart too.
            if recording.spec.runsModel(registry: registry) {
                try await loadModels(
                    [JobSpec.modelHash(recording.spec.run.strategy.config)].compactMap { $0 }
                        + recording.revisions.compactMap { JobSpec.modelHash(json: $0.strategyConfig) })
            }
            do {
                return try await replays.report(recording, registry: registry)
            } catch let e as SpecError {
                throw APIError(e)
            }
        }
        api.get("/jobs/:job/events") { request, context in
            let (after, limit) = eventPage(request)
            return try await mapped {
                try await store.events(job: context.parameters.require("job"), after: after, limit: limit)
            }
        }
        api.get("/events") { request, _ in
            let (after, limit) = eventPage(request)
            return try await store.events(job: nil, after: after, limit: limit)
        }
        api.get("/workers") { _, _ in try await store.workers() }
        addWorkerRoutes(to: api)
        addChartRoutes(to: api)
        api.get("/registry") { _, _ in RegistryView(registry) }
        return router
    }

    struct ReloadRequest: Decodable {
        var config: [String: ParameterValue]
    }

    struct Health: ResponseEncodable {
        var status: String
        var database: String
        var workers: Int
        /// leader, standby or candidate (electing).
        var role: String
        /// The leader's term: this coordinator's when it leads, else the one it knows of.
        var term: Int64?
        /// The leader's admin API URL, when known.
        var leader: String?
    }

    func health() async throws -> EditedResponse<Health> {
        let workers = await hub.connectedCount
        var health = Health(status: "ok", database: "ok", workers: workers, role: "candidate")
        switch leadership.role {
        case .leader(let term):
            health.role = "leader"
            health.term = term
            health.leader = leadership.advertised.http
        case .standby(let leader):
            health.role = "standby"
            health.term = leader?.term
            health.leader = leader?.httpURL
        case .candidate: break
        }
        do {
            try await store.client.query("SELECT 1")
            return EditedResponse(response: health)
        } catch {
            health.status = "degraded"
            health.database = "unreachable"
            return EditedResponse(status: .serviceUnavailable, response: health)
        }
    }

    /// `after` (an event id: page forward from it) and `limit` (default 200, at most 10,000).
    func eventPage(_ request: Request) -> (after: Int64?, limit: Int) {
        let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 200
        return (request.uri.queryParameters.get("after", as: Int64.self), min(max(limit, 1), 10_000))
    }

    /// Who is acting, for the audit trail: the authenticated principal (`user:NAME`, or `token`
    /// for the admin token). With the token, the CLI's own account of who runs it (`X-ATS-Actor`,
    /// user@host) is kept beside it as a claim, never in its place.
    func actor(_ request: Request, _ context: APIContext) -> String {
        let principal = context.identity.actor
        guard context.identity == .adminToken, let said = request.headers[HTTPField.Name("X-ATS-Actor")!] else {
            return principal
        }
        let clean = String(
            String.UnicodeScalarView(said.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(100)))
        return clean.isEmpty ? principal : "\(principal) (says \(clean))"
    }

    func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let e as StoreError {
            throw APIError(e)
        }
    }
}

extension APIError {
    init(_ error: any Error) {
        if let e = error as? SpecError {
            self.init(e)
        } else {
            self.init(.badRequest, code: "invalid_request", "\(error)")
        }
    }
}

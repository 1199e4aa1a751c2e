import ATSShared
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// The worker's own HTTP port (`ATS_WORKER_HTTP_PORT`): `GET /healthz` (200 while connected to a
/// coordinator, 503 otherwise, with the status as JSON) and `GET /metrics` (Prometheus text;
/// with `ATS_WORKER_METRICS_TOKEN` set, only with `Authorization: Bearer <token>`).
public struct WorkerHTTPServer: Service {
    public struct Context: RequestContext {
        public var coreContext: CoreRequestContextStorage
        public init(source: ApplicationRequestContextSource) { coreContext = .init(source: source) }
        public var responseEncoder: JSONEncoder { JSONCoding.encoder() }
    }

    let worker: WorkerService
    let registry: PrometheusCollectorRegistry
    let host: String
    let port: Int
    let token: String?
    let logger: Logger
    /// The bound port, once listening.
    public let bound: AsyncStream<Int>
    private let boundContinuation: AsyncStream<Int>.Continuation

    public init(
        worker: WorkerService, registry: PrometheusCollectorRegistry, host: String, port: Int, token: String?,
        logger: Logger
    ) {
        self.worker = worker
        self.registry = registry
        self.host = host
        self.port = port
        self.token = token
        self.logger = logger
        (bound, boundContinuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
    }

    func router() -> Router<Context> {
        let router = Router(context: Context.self)
        router.get("/healthz") { _, _ -> Response in
            let status = await worker.status()
            let data = try JSONCoding.encoder().encode(status)
            return Response(
                status: status.connected ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/metrics") { request, _ -> Response in
            if let token {
                let given = request.headers[.authorization] ?? ""
                guard given.hasPrefix("Bearer "), ConstantTime.equal(given.dropFirst(7).utf8, token.utf8) else {
                    return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
                }
            }
            await worker.recordGauges()
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        return router
    }

    public func run() async throws {
        let continuation = boundContinuation
        let app = Application(
            router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "ats-worker"),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        try await app.run()
    }
}

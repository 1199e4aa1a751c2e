import ATSDatabase
import ATSEngine
import ATSShared
import Foundation
import Logging
import PostgresNIO
import Prometheus
import Testing
import Yams

@testable import ATSCoordinator

/// docs/openapi.yaml describes exactly the routes the admin API serves.
struct OpenAPITests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml")

    /// "METHOD /path/{param}" for every operation in the document (the router writes them alike).
    static func documented() throws -> Set<String> {
        let text = try String(contentsOf: document, encoding: .utf8)
        guard let root = try Yams.load(yaml: text) as? [String: Any], let paths = root["paths"] as? [String: Any] else {
            throw OpenAPIError("docs/openapi.yaml has no paths")
        }
        var out = Set<String>()
        for (path, item) in paths {
            guard let operations = item as? [String: Any] else { throw OpenAPIError("\(path) is not a mapping") }
            for (method, operation) in operations where method != "parameters" {
                guard let op = operation as? [String: Any], let responses = op["responses"] as? [String: Any],
                    !responses.isEmpty
                else { throw OpenAPIError("\(method) \(path) documents no responses") }
                out.insert("\(method.uppercased()) \(path)")
            }
        }
        return out
    }

    static func served() throws -> Set<String> {
        let logger = Logger(label: "test")
        let client = PostgresClient(
            configuration: try DatabaseURL.configuration("postgres://nobody@127.0.0.1:1/none"), backgroundLogger: logger
        )
        let leadership = Leadership(instanceId: "test")
        let store = JobStore(client: client, logger: logger, leaseTimeout: .seconds(5), leadership: leadership)
        let hub = WorkerHub()
        let api = AdminAPI(
            store: store, hub: hub, scheduler: SchedulerService(store: store, hub: hub, logger: logger),
            registry: .standard, adminToken: "unused-token-0123456789", leadership: leadership,
            metrics: MetricsEndpoint(
                registry: PrometheusCollectorRegistry(), store: store, hub: hub, leadership: leadership,
                metrics: CoordinatorMetrics()),
            sessions: .init(ttl: .seconds(60), secureCookies: false),
            feed: LiveFeed(client: client, logs: LogBuffer(), logger: logger), logs: LogBuffer(), vault: nil,
            workerSecrets: WorkerSecrets(cluster: "unused-secret-0123456789"), datasetMaxBytes: 1 << 20, mirror: nil,
            logger: logger)
        return Set(api.router().routes.map { "\($0.method) \($0.path)" })
    }

    @Test func theDocumentAndTheRouterListTheSameRoutes() throws {
        let documented = try Self.documented()
        let served = try Self.served()
        #expect(served.count >= 12)
        #expect(
            served.subtracting(documented).isEmpty, "served, not documented: \(served.subtracting(documented).sorted())"
        )
        #expect(
            documented.subtracting(served).isEmpty, "documented, not served: \(documented.subtracting(served).sorted())"
        )
    }

    struct OpenAPIError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}

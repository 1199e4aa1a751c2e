import ATSShared
import HTTPTypes
import Testing

@testable import ATSCoordinator

/// Every route of the admin API has a role decided for it (issue 16, defect 3): none falls
/// through to the default by accident, reads are open to viewers, users and workers are for admins.
struct PermissionsTests {
    /// Routes outside the signed-in API: health, the admin-token metrics, the page, signing in,
    /// and the data sets' and models' bytes (a worker's signature, not a user's role).
    static let open: Set<String> = [
        "GET /healthz", "GET /metrics", "POST /api/session", "GET /worker/datasets/{hash}",
        "GET /worker/datasets/{hash}/digest", "GET /worker/models/{hash}",
    ]

    @Test func everyServedRouteHasADecidedRole() throws {
        let served = try OpenAPITests.served().filter {
            !Self.open.contains($0) && !$0.contains(" /ui") && $0 != "GET /"
        }
        let decided = Set(Permissions.table.keys.map { "\($0.method) \($0.path)" })
        #expect(served.subtracting(decided).isEmpty, "no role decided: \(served.subtracting(decided).sorted())")
        #expect(decided.subtracting(served).isEmpty, "decided, not served: \(decided.subtracting(served).sorted())")
    }

    @Test func rolesFollowWhatEachRoutePutsAtRisk() {
        #expect(Permissions.required(.get, "/api/jobs") == .viewer)
        #expect(Permissions.required(.get, "/api/jobs/{job}/fills") == .viewer)
        #expect(Permissions.required(.get, "/api/jobs/{job}/divergence") == .viewer, "a read, whoever may see the job")
        #expect(Permissions.required(.post, "/api/jobs") == .trader)
        #expect(Permissions.required(.post, "/api/jobs/{job}/reload") == .trader)
        #expect(Permissions.required(.delete, "/api/jobs/{job}") == .trader)
        #expect(Permissions.required(.get, "/api/users") == .admin)
        #expect(Permissions.required(.delete, "/api/users/{user}") == .admin)
        #expect(Permissions.required(.post, "/api/workers/{worker}/drain") == .admin)
        // The kill switch: any trader throws it; trading again across the cluster is an admin's call.
        #expect(Permissions.required(.post, "/api/jobs/{job}/kill") == .trader)
        #expect(Permissions.required(.post, "/api/kill") == .trader)
        #expect(Permissions.required(.delete, "/api/kill") == .admin)
        #expect(Permissions.required(.post, "/api/credentials") == .admin)
        #expect(Permissions.required(.delete, "/api/credentials/{credential}") == .admin)
        #expect(Permissions.required(.get, "/api/credentials") == .viewer, "names, types and last 4 only")
        #expect(Permissions.required(.get, "/api/datasets") == .viewer)
        #expect(Permissions.required(.post, "/api/datasets") == .trader, "a trader makes jobs of them")
        #expect(Permissions.required(.delete, "/api/datasets/{dataset}") == .trader)
        #expect(Permissions.required(.put, "/api/anything-new") == .admin, "an undecided route is closed")
        #expect(Role.viewer < .trader && Role.trader < .admin)
    }
}

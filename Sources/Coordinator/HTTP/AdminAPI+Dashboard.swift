import ATSShared
import HTTPTypes
import Hummingbird

/// The web dashboard: one page and its script and style, compiled into the binary, served at
/// `/ui/` without signing in (they hold no data; the page signs in through `/api/session`).
/// A strict content security policy allows only this origin's script and style, no inline code.
/// A standby sends the page itself to the leader's `/ui/` (a top-level navigation may change
/// origin; the page's API calls could not follow a cross-origin redirect with its cookie). The
/// leader's address is no secret: `/healthz` tells it to anyone.
/// `GET /api/overview` gives the counts the dashboard's header shows.
extension AdminAPI {
    struct Overview: ResponseEncodable {
        var jobs: [String: Int]
        var workersConnected: Int
        var role: String

        enum CodingKeys: String, CodingKey {
            case jobs, role
            case workersConnected = "workers_connected"
        }
    }

    static let securityHeaders: [(HTTPField.Name, String)] = [
        (
            .contentSecurityPolicy,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        ),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
    ]

    func addDashboardRoutes(to router: Router<APIContext>) {
        func asset(_ bytes: [UInt8], _ type: String) -> @Sendable (Request, APIContext) async throws -> Response {
            let body = ByteBuffer(bytes: bytes)
            return { _, _ in
                var headers = HTTPFields()
                headers[.contentType] = type
                headers[.cacheControl] = "no-cache"
                for (name, value) in Self.securityHeaders { headers[name] = value }
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
            }
        }
        router.get("/") { _, _ in Response(status: .found, headers: [.location: "/ui/"]) }
        let page = asset(PackageResources.index_html, "text/html; charset=utf-8")
        router.get("/ui/") { request, context in
            if !leadership.isLeader, let leader = leadership.knownLeader, !leader.httpURL.isEmpty {
                return Response(status: .temporaryRedirect, headers: [.location: leader.httpURL + "/ui/"])
            }
            return try await page(request, context)
        }
        router.get("/ui/app.js", use: asset(PackageResources.app_js, "text/javascript; charset=utf-8"))
        router.get("/ui/app.css", use: asset(PackageResources.app_css, "text/css; charset=utf-8"))
        router.get("/ui/favicon.svg", use: asset(PackageResources.favicon_svg, "image/svg+xml"))
        router.group("/api").add(middleware: auth).add(middleware: LeaderRedirectMiddleware(leadership: leadership))
            .get("/overview") { _, _ -> Overview in
                let counts = try await store.jobCounts()
                var jobs: [String: Int] = [:]
                for status in JobStatus.allCases { jobs[status.rawValue] = counts[status] ?? 0 }
                return Overview(
                    jobs: jobs, workersConnected: await hub.connectedCount,
                    role: leadership.isLeader ? "leader" : "standby")
            }
    }
}

import ATSShared
import HTTPTypes

/// The role each admin API route needs: the one table the API enforces
/// (``AuthMiddleware``) and `PermissionsTests` checks against every route the router has. Reads
/// need a viewer, actions on jobs a trader, users and workers an admin. A route missing from the
/// table needs an admin: a new route is closed until someone decides who may use it.
enum Permissions {
    /// The role `method` on `path` (a route pattern, such as `/api/jobs/{job}/stop`) needs.
    static func required(_ method: HTTPRequest.Method, _ path: String) -> Role {
        let path = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        if let role = table[Route(method: method.rawValue, path: path)] { return role }
        return .admin
    }

    struct Route: Hashable {
        var method: String
        var path: String
    }

    static let table: [Route: Role] = {
        var t: [Route: Role] = [:]
        for path in [
            "/api/jobs", "/api/jobs/{job}", "/api/jobs/{job}/fills", "/api/jobs/{job}/checkpoints",
            "/api/jobs/{job}/events", "/api/jobs/{job}/orders", "/api/jobs/{job}/curve", "/api/jobs/{job}/plots",
            "/api/jobs/{job}/report",
            "/api/jobs/{job}/divergence", "/api/events", "/api/workers",
            "/api/registry", "/api/overview", "/api/stream", "/api/logs", "/api/session", "/api/credentials",
        ] {
            t[Route(method: "GET", path: path)] = .viewer
        }
        // Signing out, and setting one's own password (the handler refuses other names).
        t[Route(method: "DELETE", path: "/api/session")] = .viewer
        t[Route(method: "POST", path: "/api/users")] = .viewer
        for path in ["/api/jobs", "/api/jobs/{job}/start", "/api/jobs/{job}/stop", "/api/jobs/{job}/reload"] {
            t[Route(method: "POST", path: path)] = .trader
        }
        t[Route(method: "DELETE", path: "/api/jobs/{job}")] = .trader
        // Data sets: read by viewers, registered and removed by traders (who make jobs of them).
        t[Route(method: "GET", path: "/api/datasets")] = .viewer
        t[Route(method: "GET", path: "/api/datasets/{dataset}")] = .viewer
        t[Route(method: "POST", path: "/api/datasets")] = .trader
        t[Route(method: "DELETE", path: "/api/datasets/{dataset}")] = .trader
        t[Route(method: "GET", path: "/api/models")] = .viewer
        t[Route(method: "GET", path: "/api/models/{model}")] = .viewer
        t[Route(method: "GET", path: "/api/models/{model}/file")] = .viewer
        t[Route(method: "POST", path: "/api/models")] = .trader
        t[Route(method: "DELETE", path: "/api/models/{model}")] = .trader
        // Sweeps: read by viewers, made and steered by traders.
        t[Route(method: "GET", path: "/api/datasets/{dataset}/catalog")] = .viewer
        for path in [
            "/api/sweeps", "/api/sweeps/{sweep}", "/api/sweeps/{sweep}/report", "/api/sweeps/{sweep}/trials/{trial}",
            "/api/sweeps/{sweep}/heatmap", "/api/sweeps/{sweep}/report.html",
            // Run again on the coordinator, one at a time on its own thread (TrialCurves).
            "/api/sweeps/{sweep}/trials/{trial}/equity",
        ] {
            t[Route(method: "GET", path: path)] = .viewer
        }
        for path in [
            "/api/sweeps", "/api/sweeps/{sweep}/pause", "/api/sweeps/{sweep}/resume", "/api/sweeps/{sweep}/cancel",
        ] {
            t[Route(method: "POST", path: path)] = .trader
        }
        t[Route(method: "DELETE", path: "/api/sweeps/{sweep}")] = .trader
        t[Route(method: "GET", path: "/api/research-ledger")] = .viewer
        t[Route(method: "DELETE", path: "/api/research-ledger")] = .admin
        // The kill switch: any trader may throw it (a job's or every job's) and release a job's;
        // trading again across the cluster is an admin's decision.
        t[Route(method: "POST", path: "/api/jobs/{job}/kill")] = .trader
        t[Route(method: "DELETE", path: "/api/jobs/{job}/kill")] = .trader
        t[Route(method: "POST", path: "/api/kill")] = .trader
        t[Route(method: "GET", path: "/api/kill")] = .viewer
        t[Route(method: "DELETE", path: "/api/kill")] = .admin
        // An account's budget: read by viewers, set by admins (like its credential).
        t[Route(method: "GET", path: "/api/credentials/{credential}/limits")] = .viewer
        t[Route(method: "PUT", path: "/api/credentials/{credential}/limits")] = .admin
        t[Route(method: "GET", path: "/api/users")] = .admin
        t[Route(method: "DELETE", path: "/api/users/{user}")] = .admin
        t[Route(method: "POST", path: "/api/workers/{worker}/drain")] = .admin
        t[Route(method: "POST", path: "/api/workers/{worker}/undrain")] = .admin
        // Venue API keys: only an admin stores or removes one.
        t[Route(method: "POST", path: "/api/credentials")] = .admin
        t[Route(method: "DELETE", path: "/api/credentials/{credential}")] = .admin
        return t
    }()
}

import ATSShared

/// Who a request comes from, as the authentication middleware found it.
enum Identity: Sendable, Equatable {
    case anonymous
    /// A script or the CLI with the admin bearer token: an admin.
    case adminToken
    /// A signed-in dashboard user; state-changing requests must echo the session's CSRF token.
    case user(name: String, csrfToken: String, role: Role)

    var role: Role? {
        switch self {
        case .anonymous: nil
        case .adminToken: .admin
        case .user(_, _, let role): role
        }
    }

    /// The name recorded in the audit trail: the authenticated principal, never what a client
    /// claims (the CLI's own account of who runs it is kept beside it: ``AdminAPI/actor(_:_:)``).
    var actor: String {
        switch self {
        case .anonymous: "anonymous"
        case .adminToken: "token"
        case .user(let name, _, _): "user:\(name)"
        }
    }
}

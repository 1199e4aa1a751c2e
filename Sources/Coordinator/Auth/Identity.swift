/// Who a request comes from, as the authentication middleware found it.
enum Identity: Sendable, Equatable {
    case anonymous
    /// A script or the CLI with the admin bearer token.
    case adminToken
    /// A signed-in dashboard user; state-changing requests must echo the session's CSRF token.
    case user(name: String, csrfToken: String)

    /// The name recorded in the audit trail.
    var actor: String? {
        switch self {
        case .anonymous: nil
        case .adminToken: nil
        case .user(let name, _): "user:\(name)"
        }
    }
}

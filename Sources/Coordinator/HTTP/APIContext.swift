import ATSShared
import Foundation
import Hummingbird

/// The request context of the admin API: JSON with the shared settings (non-finite statistics as
/// strings, ISO-8601 dates).
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AuthMiddleware``.
    var identity: Identity = .anonymous

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var requestDecoder: JSONDecoder { JSONCoding.decoder() }
    public var responseEncoder: JSONEncoder { JSONCoding.encoder() }
    public var maxUploadSize: Int { 4 * 1024 * 1024 }
}

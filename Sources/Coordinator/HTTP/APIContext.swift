import ATSShared
import Foundation
import Hummingbird
import NIOCore

/// The request context of the admin API: JSON with the shared settings (non-finite statistics as
/// strings, ISO-8601 dates).
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AuthMiddleware``.
    var identity: Identity = .anonymous
    /// The client's address (sign-in attempts are throttled per address too).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    public var requestDecoder: JSONDecoder { JSONCoding.decoder() }
    public var responseEncoder: JSONEncoder { JSONCoding.encoder() }
    public var maxUploadSize: Int { 4 * 1024 * 1024 }
}

import ATSShared
import NIOSSL

/// TLS to the coordinators, from the environment: `ATS_TLS_CA` (PEM) turns it on and is what the
/// coordinator's certificate must chain to, for the host dialled (or `ATS_TLS_SERVER_NAME`);
/// `ATS_TLS_CERT` and `ATS_TLS_KEY` are this worker's certificate for mutual TLS.
enum CoordinatorTLS {
    static func context(_ env: Environment) throws -> NIOSSLContext? {
        let cert = env["ATS_TLS_CERT"]
        let key = env["ATS_TLS_KEY"]
        guard let ca = env["ATS_TLS_CA"] else {
            if cert != nil || key != nil {
                throw ConfigurationError(
                    variable: "ATS_TLS_CA",
                    reason:
                        "is needed with ATS_TLS_CERT/ATS_TLS_KEY (the CA that signed the coordinators' certificates)")
            }
            return nil
        }
        var config = TLSConfiguration.makeClientConfiguration()
        config.minimumTLSVersion = .tlsv12
        config.trustRoots = .certificates(
            try ConfigurationError.reading("ATS_TLS_CA", ca) { try NIOSSLCertificate.fromPEMFile($0) })
        switch (cert, key) {
        case (let cert?, let key?):
            config.certificateChain = try ConfigurationError.reading("ATS_TLS_CERT", cert) {
                try NIOSSLCertificate.fromPEMFile($0).map { .certificate($0) }
            }
            config.privateKey = .privateKey(
                try ConfigurationError.reading("ATS_TLS_KEY", key) { try NIOSSLPrivateKey(file: $0, format: .pem) })
        case (nil, nil): break
        default:
            throw ConfigurationError(
                variable: cert == nil ? "ATS_TLS_CERT" : "ATS_TLS_KEY",
                reason: "a client certificate needs both ATS_TLS_CERT and ATS_TLS_KEY")
        }
        return try ConfigurationError.reading("ATS_TLS_CA", ca) { _ in try NIOSSLContext(configuration: config) }
    }
}

import ATSShared
import NIOSSL

/// TLS on the worker port, from the environment: `ATS_TLS_CERT` and `ATS_TLS_KEY` (PEM) turn it
/// on; `ATS_TLS_CA` then makes it mutual: a worker must present a certificate that CA signed, or
/// the connection ends in the TLS handshake, before any frame. Files are read at start-up, so a
/// bad path or file stops the coordinator with the variable's name.
enum WorkerPortTLS {
    static func context(_ env: Environment) throws -> NIOSSLContext? {
        let cert = env["ATS_TLS_CERT"]
        let key = env["ATS_TLS_KEY"]
        let ca = env["ATS_TLS_CA"]
        guard let cert, let key else {
            if cert != nil || key != nil {
                throw ConfigurationError(
                    variable: cert == nil ? "ATS_TLS_CERT" : "ATS_TLS_KEY",
                    reason: "TLS needs both ATS_TLS_CERT and ATS_TLS_KEY")
            }
            if ca != nil {
                throw ConfigurationError(
                    variable: "ATS_TLS_CA", reason: "mutual TLS needs ATS_TLS_CERT and ATS_TLS_KEY too")
            }
            return nil
        }
        var config = TLSConfiguration.makeServerConfiguration(
            certificateChain: try ConfigurationError.reading("ATS_TLS_CERT", cert) {
                try NIOSSLCertificate.fromPEMFile($0).map { .certificate($0) }
            },
            privateKey: .privateKey(
                try ConfigurationError.reading("ATS_TLS_KEY", key) { try NIOSSLPrivateKey(file: $0, format: .pem) }))
        config.minimumTLSVersion = .tlsv12
        if let ca {
            config.trustRoots = .certificates(
                try ConfigurationError.reading("ATS_TLS_CA", ca) { try NIOSSLCertificate.fromPEMFile($0) })
            // The chain must verify; workers' names are not checked against their addresses (the
            // worker id is proven by the handshake's HMAC).
            config.certificateVerification = .noHostnameVerification
        }
        return try ConfigurationError.reading("ATS_TLS_CERT", cert) { _ in try NIOSSLContext(configuration: config) }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Turns an error no route translated (a database failure, a bug) into a 500 that says what
/// happened, and logs its cause under a reference the answer names. Without it Hummingbird
/// answers such errors with an empty 500 and no log line.
struct InternalErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            let reference = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            // `String(reflecting:)`: PostgresNIO's errors hide their details from `description`.
            logger.error(
                "internal error answering a request",
                metadata: [
                    "reference": "\(reference)", "method": "\(request.method)", "path": "\(request.uri.path)",
                    "error": "\(String(reflecting: error))",
                ])
            throw APIError(
                .internalServerError, code: "internal",
                "the coordinator could not answer: \(Self.summary(error)) (reference \(reference) in its log)")
        }
    }

    /// The error's own words, short, without the details some libraries keep out of descriptions.
    static func summary(_ error: any Error) -> String {
        let text = "\(error)"
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}

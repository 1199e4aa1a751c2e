import ArgumentParser

/// Errors the CLI reports, each with its exit code: 2 usage, 3 invalid input, 4 not found,
/// 5 conflict, 6 coordinator unreachable, 7 authentication, 1 anything else.
public enum CLIError: Error, CustomStringConvertible {
    case usage(String)
    case invalid(String)
    case unreachable(String)
    case api(status: Int, message: String, field: String?)

    public var description: String {
        switch self {
        case .usage(let s), .invalid(let s), .unreachable(let s): s
        case .api(_, let m, let field): field.map { _ in m } ?? m
        }
    }

    public var exitCode: ExitCode {
        switch self {
        case .usage: ExitCode(2)
        case .invalid: ExitCode(3)
        case .unreachable: ExitCode(6)
        case .api(let status, _, _):
            switch status {
            case 400, 422: ExitCode(3)
            case 401, 403: ExitCode(7)
            case 404: ExitCode(4)
            case 409: ExitCode(5)
            default: ExitCode(1)
            }
        }
    }
}

import ATSEngine

/// Builds a ``RunSpec`` from command-line flags, with field-named errors.
public enum RunSpecFlags {
    public static func runSpec(
        strategy: String, params: [String], symbol: String, fee: String, cash: Double, exchangeParams: [String],
        exchange: String = "simulated"
    ) throws -> RunSpec {
        let parts = symbol.split(separator: "/")
        guard parts.count == 2 else { throw CLIError.invalid("--symbol: expected BASE/QUOTE, got \"\(symbol)\"") }
        do {
            let feeCall = try IndicatorCall(parsing: fee)
            return RunSpec(
                exchange: .init(
                    namespace: "exchanges:\(exchange)", symbol: .init(base: String(parts[0]), quote: String(parts[1])),
                    config: try Parameters.parseAssignments(exchangeParams)),
                strategy: ComponentRef(
                    namespace: "strategies:\(strategy)", config: try Parameters.parseAssignments(params)),
                fees: ComponentRef(namespace: "fees:\(feeCall.name)", config: feeCall.raw),
                portfolio: .init(cash: cash))
        } catch {
            throw CLIError.invalid(error.description)
        }
    }
}

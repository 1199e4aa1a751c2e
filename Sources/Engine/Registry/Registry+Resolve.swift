import Foundation

/// A ``RunSpec`` checked against the registry: every component found, every parameter valid.
public struct ResolvedRun: Sendable {
    public var spec: RunSpec
    public var strategy: Registry.StrategyEntry
    public var strategyParameters: Parameters
    public var feeParameters: Parameters
    public var exchangeParameters: Parameters
    public var instrument: Instrument
    public var simulation: SimulationConfig
    public var feeModel: any FeeModel
}

extension Registry {
    /// Validates a run spec; the error names the field, e.g. `strategy.config.slow`.
    public func resolve(_ spec: RunSpec) throws(SpecError) -> ResolvedRun {
        // Exchange and symbol.
        let exchangeName: String
        do {
            exchangeName =
                try spec.exchange.namespace.isEmpty
                ? "simulated" : ComponentRef(namespace: spec.exchange.namespace).name(in: "exchanges")
        } catch { throw error.nested(under: "exchange") }
        guard let exchangeEntry = exchanges[exchangeName] else {
            throw SpecError(
                field: "exchange.namespace",
                reason:
                    "unknown exchange \"\(exchangeName)\" (known: \(exchanges.keys.sorted().joined(separator: ", ")))")
        }
        for (part, value) in [("base", spec.exchange.symbol.base), ("quote", spec.exchange.symbol.quote)]
        where !Instrument.isValidAsset(value) {
            throw SpecError(
                field: "exchange.symbol.\(part)", reason: "must be 1-20 upper-case letters or digits, got \"\(value)\"")
        }
        guard spec.exchange.symbol.base != spec.exchange.symbol.quote else {
            throw SpecError(field: "exchange.symbol", reason: "base and quote must differ")
        }
        let venue: any ExchangeModel
        let exchangeParameters: Parameters
        do {
            exchangeParameters = try exchangeEntry.type.descriptor.validate(spec.exchange.config)
            venue = try exchangeEntry.type.init(parameters: exchangeParameters)
        } catch { throw error.nested(under: "exchange.config") }

        // Strategy.
        let strategyName: String
        do { strategyName = try spec.strategy.name(in: "strategies") } catch { throw error.nested(under: "strategy") }
        guard let strategy = strategies[strategyName] else {
            throw SpecError(
                field: "strategy.namespace",
                reason:
                    "unknown strategy \"\(strategyName)\" (known: \(strategies.keys.sorted().joined(separator: ", ")))")
        }
        let strategyParameters: Parameters
        do {
            strategyParameters = try strategy.descriptor.validate(spec.strategy.config)
            // Constructing checks cross-field rules (fast < slow); the instance is discarded.
            _ = try strategy.make(strategyParameters, Self.probeExchange, nil, SessionOptions())
        } catch let e as SpecError {
            throw e.nested(under: "strategy.config")
        } catch {
            throw SpecError(field: "strategy.config", reason: "\(error)")
        }

        try Self.checkShorting(strategy, strategyParameters, venue.simulation)

        // Fees.
        let feeName: String
        do { feeName = try spec.fees.name(in: "fees") } catch { throw error.nested(under: "fees") }
        guard let feeEntry = fees[feeName] else {
            throw SpecError(
                field: "fees.namespace",
                reason: "unknown fee model \"\(feeName)\" (known: \(fees.keys.sorted().joined(separator: ", ")))")
        }
        let feeModel: any FeeModel
        let feeParameters: Parameters
        do {
            feeParameters = try feeEntry.type.descriptor.validate(spec.fees.config)
            feeModel = try feeEntry.type.init(parameters: feeParameters)
        } catch { throw error.nested(under: "fees.config") }

        guard spec.portfolio.cash.isFinite, spec.portfolio.cash >= 0 else {
            throw SpecError(field: "portfolio.cash", reason: "must be a non-negative number")
        }
        guard spec.portfolio.base.isFinite, spec.portfolio.base >= 0 else {
            throw SpecError(field: "portfolio.base", reason: "must be a non-negative number")
        }
        return ResolvedRun(
            spec: spec, strategy: strategy, strategyParameters: strategyParameters, feeParameters: feeParameters,
            exchangeParameters: exchangeParameters,
            instrument: venue.instrument(base: spec.exchange.symbol.base, quote: spec.exchange.symbol.quote),
            simulation: venue.simulation, feeModel: feeModel)
    }

    /// A session of `base` with some of its strategy's parameters changed, checked as
    /// ``resolve(_:)`` checks the whole configuration, in the same order and with the same errors,
    /// but for the changed parameters alone (what a sweep's trials change:
    /// ``Parameters/replacing(_:against:)``): the exchange, fees and symbol are `base`'s, and the
    /// strategy is built once (resolving every trial in full read every component again and
    /// built each strategy twice).
    public func session(
        changing parameters: [String: ParameterValue], onto base: ResolvedRun, options: SessionOptions
    ) throws(SpecError) -> any BacktestSession {
        let validated: Parameters
        let session: any BacktestSession
        do {
            validated = try base.strategyParameters.replacing(parameters, against: base.strategy.descriptor.parameters)
            // Building checks the cross-field rules (fast < slow), as resolving does.
            session = try base.strategy.make(validated, Self.exchange(for: base), nil, options)
        } catch let e as SpecError {
            throw e.nested(under: "strategy.config")
        } catch {
            throw SpecError(field: "strategy.config", reason: "\(error)")
        }
        try Self.checkShorting(base.strategy, validated, base.simulation)
        return session
    }

    /// A strategy that sells short only on an exchange that allows it.
    static func checkShorting(_ strategy: StrategyEntry, _ parameters: Parameters, _ simulation: SimulationConfig)
        throws(SpecError)
    {
        guard strategy.sellsShort(parameters) && !simulation.allowShort else { return }
        throw SpecError(
            field: "strategy.config.direction",
            reason: "long_short sells short: set exchange.config.allow_short to true (or use long_only)")
    }

    /// The spec with every configuration typed and every default written out, so the stored job
    /// says exactly what runs, whatever later versions choose as defaults.
    public func normalized(_ spec: RunSpec) throws(SpecError) -> RunSpec {
        let r = try resolve(spec)
        var out = spec
        out.strategy.config = r.strategyParameters.values
        out.fees.config = r.feeParameters.values
        out.exchange.config = r.exchangeParameters.values
        return out
    }

    private static let probeExchange = SimulatedExchange(
        instrument: Instrument(base: "A", quote: "B"), config: SimulationConfig(), fees: FixedFees(perFill: 0), cash: 0)

    /// Makes a live session for a resolved run: the strategy on `venue` (its wallet from the job's
    /// allocation), or restored from a live checkpoint.
    public func makeLiveSession(_ run: ResolvedRun, venue: ExternalVenue, checkpoint: Data? = nil) throws
        -> any LiveSession
    {
        try run.strategy.makeLive(run.strategyParameters, venue, checkpoint)
    }

    /// Makes a session for a resolved run, fresh or restored from a checkpoint.
    public func makeSession(_ run: ResolvedRun, checkpoint: Data? = nil, options: SessionOptions = SessionOptions())
        throws -> any BacktestSession
    {
        try run.strategy.make(run.strategyParameters, Self.exchange(for: run), checkpoint, options)
    }

    /// A run's simulated exchange, holding its starting portfolio.
    static func exchange(for run: ResolvedRun) -> SimulatedExchange {
        SimulatedExchange(
            instrument: run.instrument, config: run.simulation, fees: run.feeModel, cash: run.spec.portfolio.cash,
            baseBalance: run.spec.portfolio.base)
    }
}

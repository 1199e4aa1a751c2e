import Foundation

/// Every strategy, indicator, fee model and exchange the engine knows, by name. Built-ins are
/// registered first; custom modules register after them, and a custom component with a built-in's
/// name replaces it (the seed's "custom first").
public struct Registry: Sendable {
    /// Where a component came from.
    public enum Origin: String, Sendable { case builtIn = "built-in", custom }

    public struct StrategyEntry: Sendable {
        public var descriptor: ComponentDescriptor
        public var origin: Origin
        /// Whether the given parameters make the strategy sell short.
        let sellsShort: @Sendable (Parameters) -> Bool
        /// Makes a session of this strategy type; its loop is specialised here, where the type is known.
        let make: @Sendable (Parameters, SimulatedExchange, Data?, SessionOptions) throws -> any BacktestSession
        /// Makes a live session of this strategy type (fresh on `venue`, or restored).
        let makeLive: @Sendable (Parameters, ExternalVenue, Data?) throws -> any LiveSession
    }

    public struct IndicatorEntry: Sendable {
        public var descriptor: IndicatorDescriptor
        public var origin: Origin
        public var type: any Indicator.Type
    }

    public struct FeeEntry: Sendable {
        public var origin: Origin
        public var type: any FeeModel.Type
    }

    public struct ExchangeEntry: Sendable {
        public var origin: Origin
        public var type: any ExchangeModel.Type
    }

    public private(set) var strategies: [String: StrategyEntry] = [:]
    public private(set) var indicators: [String: IndicatorEntry] = [:]
    public private(set) var fees: [String: FeeEntry] = [:]
    public private(set) var exchanges: [String: ExchangeEntry] = [:]

    public init() {}

    /// The engine's own components.
    public static let builtIn: Registry = {
        var r = Registry()
        for s in BuiltIns.strategies { s.register(into: &r) }
        for i in BuiltIns.indicators { r.registerIndicator(i, origin: .builtIn) }
        for f in BuiltIns.feeModels { r.registerFeeModel(f, origin: .builtIn) }
        for e in BuiltIns.exchanges { r.registerExchange(e, origin: .builtIn) }
        return r
    }()

    public mutating func registerStrategy<S: Strategy>(_ type: S.Type, origin: Origin = .custom) {
        strategies[S.descriptor.name] = StrategyEntry(
            descriptor: S.descriptor, origin: origin, sellsShort: S.sellsShort
        ) {
            parameters, exchange, checkpoint, options in
            if let checkpoint {
                var run = try BacktestRun<S>(
                    restoring: checkpoint, exchange: exchange, recordTrades: options.recordTrades,
                    recordEquity: options.recordEquity, keepFills: options.keepFills, recordPlots: options.recordPlots)
                run.recordReturns = options.recordReturns
                return run
            }
            var run = BacktestRun(
                strategy: try S(parameters: parameters), exchange: exchange, recordTrades: options.recordTrades,
                recordEquity: options.recordEquity, keepFills: options.keepFills, recordPlots: options.recordPlots)
            run.recordReturns = options.recordReturns
            return run
        } makeLive: { parameters, venue, checkpoint in
            if let checkpoint { return try LiveRun<S>(restoring: checkpoint) }
            return LiveRun(strategy: try S(parameters: parameters), venue: venue)
        }
    }

    public mutating func registerIndicator(_ type: any Indicator.Type, origin: Origin = .custom) {
        indicators[type.descriptor.name] = IndicatorEntry(descriptor: type.descriptor, origin: origin, type: type)
    }

    public mutating func registerFeeModel(_ type: any FeeModel.Type, origin: Origin = .custom) {
        fees[type.descriptor.name] = FeeEntry(origin: origin, type: type)
    }

    public mutating func registerExchange(_ type: any ExchangeModel.Type, origin: Origin = .custom) {
        exchanges[type.descriptor.name] = ExchangeEntry(origin: origin, type: type)
    }
}

/// What a session records besides its statistics.
public struct SessionOptions: Sendable {
    public var recordTrades: Bool
    public var recordEquity: Bool
    /// Whether fills wait in the session for ``BacktestSession/takeFills()`` (a worker streams
    /// them, a report draws them); without, they are booked into the statistics and dropped.
    public var keepFills: Bool
    /// With ``recordEquity``: the strategy's series too, one value per bar each (a report draws
    /// them; a sweep's trials and workers, which sample ``BacktestSession/plotNow()``, do not).
    public var recordPlots: Bool
    /// Whether each bar's return is recorded (``BacktestSession/returns``: a sweep's trials).
    public var recordReturns: Bool

    public init(
        recordTrades: Bool = false, recordEquity: Bool = false, keepFills: Bool = true, recordPlots: Bool = false,
        recordReturns: Bool = false
    ) {
        self.recordTrades = recordTrades
        self.recordEquity = recordEquity
        self.keepFills = keepFills
        self.recordPlots = recordPlots
        self.recordReturns = recordReturns
    }
}

/// A strategy type in a list, so built-ins can be enumerated and registered generically.
struct StrategyRegistration: Sendable {
    let register: @Sendable (inout Registry) -> Void

    init<S: Strategy>(_ type: S.Type) {
        register = { $0.registerStrategy(type, origin: .builtIn) }
    }

    func register(into r: inout Registry) { register(&r) }
}

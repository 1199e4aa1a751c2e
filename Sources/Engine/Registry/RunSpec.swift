/// What to run, independent of where the bars come from: exchange (venue, symbol, fill policy),
/// strategy, fee model and starting balances. Job specs embed it; `ats backtest` builds one from
/// flags.
public struct RunSpec: Sendable, Hashable, Codable {
    public struct Symbol: Sendable, Hashable, Codable {
        public var base: String
        public var quote: String

        public init(base: String, quote: String) {
            self.base = base
            self.quote = quote
        }
    }

    public struct ExchangeRef: Sendable, Hashable, Codable {
        public var namespace: String
        public var symbol: Symbol
        public var config: [String: ParameterValue]

        public init(namespace: String = "exchanges:simulated", symbol: Symbol, config: [String: ParameterValue] = [:]) {
            self.namespace = namespace
            self.symbol = symbol
            self.config = config
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            namespace = try c.decodeIfPresent(String.self, forKey: .namespace) ?? "exchanges:simulated"
            symbol = try c.decode(Symbol.self, forKey: .symbol)
            config = try c.decodeIfPresent([String: ParameterValue].self, forKey: .config) ?? [:]
        }
    }

    public struct Portfolio: Sendable, Hashable, Codable {
        /// Starting quote balance.
        public var cash: Double
        /// Starting base balance.
        public var base: Double

        public init(cash: Double = 100_000, base: Double = 0) {
            self.cash = cash
            self.base = base
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            cash = try c.decodeIfPresent(Double.self, forKey: .cash) ?? 100_000
            base = try c.decodeIfPresent(Double.self, forKey: .base) ?? 0
        }
    }

    public var exchange: ExchangeRef
    public var strategy: ComponentRef
    public var fees: ComponentRef
    public var portfolio: Portfolio

    public init(
        exchange: ExchangeRef, strategy: ComponentRef, fees: ComponentRef = ComponentRef(namespace: "fees:generic"),
        portfolio: Portfolio = Portfolio()
    ) {
        self.exchange = exchange
        self.strategy = strategy
        self.fees = fees
        self.portfolio = portfolio
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        exchange = try c.decode(ExchangeRef.self, forKey: .exchange)
        strategy = try c.decode(ComponentRef.self, forKey: .strategy)
        fees = try c.decodeIfPresent(ComponentRef.self, forKey: .fees) ?? ComponentRef(namespace: "fees:generic")
        portfolio = try c.decodeIfPresent(Portfolio.self, forKey: .portfolio) ?? Portfolio()
    }
}

/// The lists of built-in components, in the order `ats` prints them.
enum BuiltIns {
    static let strategies: [StrategyRegistration] = [
        StrategyRegistration(SMACross.self),
        StrategyRegistration(RSIReversion.self),
        StrategyRegistration(MACDCross.self),
        StrategyRegistration(BollingerBreakout.self),
        StrategyRegistration(SimpleMA.self),
        StrategyRegistration(SimpleRandom.self),
        StrategyRegistration(GridStrategy.self),
        StrategyRegistration(DCAStrategy.self),
        StrategyRegistration(NoopStrategy.self),
    ]

    static let indicators: [any Indicator.Type] = [
        SMA.self, EMA.self, WMA.self, RSI.self, StdDev.self, BollingerBands.self, TrueRange.self, ATR.self, MACD.self,
        OBV.self, DEMA.self, TEMA.self, NATR.self, Highest.self, Lowest.self, MomentumIndicator.self,
        RateOfChange.self, Variance.self, WilliamsR.self, Stochastic.self, MFI.self, CCI.self,
        LinearRegression.self, PlusDI.self, MinusDI.self, ADX.self, Donchian.self, Keltner.self, VWAP.self,
        SuperTrend.self, StdFirstDerivative.self, CandleAggregate.self, KAMA.self, StochasticRSI.self, TRIMA.self,
    ]

    static let feeModels: [any FeeModel.Type] = [
        GenericFees.self, MakerTakerFees.self, FixedFees.self, TieredFees.self,
    ]

    static let exchanges: [any ExchangeModel.Type] = [SimulatedVenue.self]
}

#!/usr/bin/env python3
"""NautilusTrader's BacktestEngine on the issue-3 workload (sma_cross 10/30, 1 unit), for the
bars/s comparison in docs/BENCHMARKS.md. It is slow, so it runs on the first N bars (default
100,000) and reports the rate.

    /tmp/benchvenv/bin/pip install nautilus_trader pandas
    /tmp/benchvenv/bin/python scripts/bench_nautilus.py /tmp/synth-1m.csv [N]
"""
import sys
import time
from decimal import Decimal

import pandas as pd
from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
from nautilus_trader.config import LoggingConfig, StrategyConfig
from nautilus_trader.indicators import SimpleMovingAverage
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.data import Bar, BarType
from nautilus_trader.model.enums import AccountType, OmsType, OrderSide
from nautilus_trader.model.identifiers import Venue
from nautilus_trader.model.objects import Money, Quantity
from nautilus_trader.persistence.wranglers import BarDataWrangler
from nautilus_trader.test_kit.providers import TestInstrumentProvider
from nautilus_trader.trading.strategy import Strategy

path = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000


class CrossConfig(StrategyConfig, frozen=True):
    bar_type: str


class SMACross(Strategy):
    def __init__(self, config):
        super().__init__(config)
        self.bar_type = BarType.from_str(config.bar_type)
        self.fast = SimpleMovingAverage(10)
        self.slow = SimpleMovingAverage(30)
        self.side = 0
        self.instrument = None

    def on_start(self):
        self.instrument = self.cache.instrument(self.bar_type.instrument_id)
        self.register_indicator_for_bars(self.bar_type, self.fast)
        self.register_indicator_for_bars(self.bar_type, self.slow)
        self.subscribe_bars(self.bar_type)

    def on_bar(self, bar: Bar):
        if not (self.fast.initialized and self.slow.initialized):
            return
        f, s = self.fast.value, self.slow.value
        side = 1 if f > s else -1 if f < s else self.side
        if self.side != 0 and side != self.side:
            flat = self.portfolio.is_flat(self.bar_type.instrument_id)
            if side > 0 and flat:
                self.submit_order(self.order_factory.market(self.bar_type.instrument_id, OrderSide.BUY, Quantity.from_str("1.000000")))
            elif side < 0 and not flat:
                self.close_all_positions(self.bar_type.instrument_id)
        self.side = side


df = pd.read_csv(path, nrows=N)
df.index = pd.to_datetime(df["time"], utc=True)
df = df[["open", "high", "low", "close", "volume"]]
instrument = TestInstrumentProvider.btcusdt_binance()
bar_type = BarType.from_str(f"{instrument.id}-1-MINUTE-LAST-EXTERNAL")
bars = BarDataWrangler(bar_type, instrument).process(df)

engine = BacktestEngine(BacktestEngineConfig(logging=LoggingConfig(bypass_logging=True)))
engine.add_venue(Venue("BINANCE"), oms_type=OmsType.NETTING, account_type=AccountType.CASH, base_currency=None,
                 starting_balances=[Money(1_000_000_000, USDT), Money(0, instrument.base_currency)])
engine.add_instrument(instrument)
engine.add_data(bars)
engine.add_strategy(SMACross(CrossConfig(bar_type=str(bar_type))))
t = time.perf_counter()
engine.run()
seconds = time.perf_counter() - t
filled = [o for o in engine.cache.orders() if o.is_closed and o.filled_qty > 0]
print(f"nautilus_trader: {len(bars)} bars in {seconds:.2f} s = {len(bars) / seconds:.0f} bars/s, "
      f"{len(filled) // 2} round trips ({len(filled)} filled orders)")

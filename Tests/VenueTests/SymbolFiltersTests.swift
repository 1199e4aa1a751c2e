import ATSVenues
import Foundation
import Testing

/// exchangeInfo's filters as filters.md defines them, applied before anything is sent.
struct SymbolFiltersTests {
    static let btcusdt = Data(
        """
        {"symbol": "BTCUSDT", "status": "TRADING", "baseAsset": "BTC", "quoteAsset": "USDT",
         "filters": [
           {"filterType": "PRICE_FILTER", "minPrice": "0.01000000", "maxPrice": "1000000.00000000", "tickSize": "0.01000000"},
           {"filterType": "LOT_SIZE", "minQty": "0.00001000", "maxQty": "9000.00000000", "stepSize": "0.00001000"},
           {"filterType": "ICEBERG_PARTS", "limit": 10},
           {"filterType": "MARKET_LOT_SIZE", "minQty": "0.00000000", "maxQty": "100.00000000", "stepSize": "0.00000000"},
           {"filterType": "NOTIONAL", "minNotional": "5.00000000", "applyMinToMarket": true,
            "maxNotional": "9000000.00000000", "applyMaxToMarket": false, "avgPriceMins": 5}
         ]}
        """.utf8)

    static func d(_ text: String) -> VenueDecimal { VenueDecimal(text)! }

    @Test func aLimitOrderIsFittedToStepAndTickNeverWorseThanAsked() throws {
        let f = try SymbolFilters(exchangeInfoSymbol: Self.btcusdt)
        #expect(f.symbol == "BTCUSDT" && f.price?.step == Self.d("0.01") && f.lot?.step == Self.d("0.00001"))
        let buy = try f.fit(side: .buy, quantity: Self.d("0.123456789"), price: Self.d("64000.129")).get()
        #expect(buy.quantity.description == "0.12345000" && buy.price?.description == "64000.12000000")
        let sell = try f.fit(side: .sell, quantity: Self.d("0.5"), price: Self.d("64000.121")).get()
        #expect(sell.price?.description == "64000.13000000", "a sell's price rounds up")
    }

    @Test func anOrderThatBreaksARuleIsRefusedWithTheVenuesCodeAndMessage() throws {
        let f = try SymbolFilters(exchangeInfoSymbol: Self.btcusdt)
        let tooSmall = f.fit(side: .buy, quantity: Self.d("0.000001"), price: Self.d("64000"))
        #expect(tooSmall == .failure(.init(code: -1013, message: "Filter failure: LOT_SIZE")))
        let dust = f.fit(side: .buy, quantity: Self.d("0.00001"), price: Self.d("64000"))
        #expect(dust == .failure(.init(code: -1013, message: "Filter failure: NOTIONAL")), "0.64 USDT < 5")
        let cheap = f.fit(side: .buy, quantity: Self.d("1"), price: Self.d("0.001"))
        #expect(cheap == .failure(.init(code: -1013, message: "Filter failure: PRICE_FILTER")))
    }

    @Test func aMarketOrderUsesTheMarketLotAndItsNotionalFlags() throws {
        let f = try SymbolFilters(exchangeInfoSymbol: Self.btcusdt)
        // MARKET_LOT_SIZE's step is 0 (disabled): LOT_SIZE's step applies; its max (100) is checked.
        let big = f.fit(side: .buy, quantity: Self.d("150"), price: nil, marketPrice: Self.d("64000"))
        #expect(big == .failure(.init(code: -1013, message: "Filter failure: MARKET_LOT_SIZE")))
        let ok = try f.fit(side: .sell, quantity: Self.d("0.1234567"), price: nil, marketPrice: Self.d("64000")).get()
        #expect(ok.quantity.description == "0.12345000" && ok.price == nil)
        let dust = f.fit(side: .sell, quantity: Self.d("0.00002"), price: nil, marketPrice: Self.d("64000"))
        #expect(dust == .failure(.init(code: -1013, message: "Filter failure: NOTIONAL")), "applyMinToMarket")
    }
}

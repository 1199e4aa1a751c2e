import ATSVenues
import Foundation
import Testing

/// The order endpoints' requests and answers against the documentation's examples.
struct BinanceOrdersTests {
    /// rest-api.md "New order (TRADE)", Response - FULL (its comments removed).
    static let full = Data(
        """
        {"symbol": "BTCUSDT", "orderId": 28, "orderListId": -1, "clientOrderId": "6gCrw2kRUAF9CvJDGP16IP",
         "transactTime": 1507725176595, "price": "0.00000000", "origQty": "10.00000000", "executedQty": "10.00000000",
         "origQuoteOrderQty": "0.000000", "cummulativeQuoteQty": "10.00000000", "status": "FILLED", "timeInForce": "GTC",
         "type": "MARKET", "side": "SELL", "workingTime": 1507725176595, "selfTradePreventionMode": "NONE",
         "fills": [
           {"price": "4000.00000000", "qty": "1.00000000", "commission": "4.00000000", "commissionAsset": "USDT", "tradeId": 56},
           {"price": "3999.00000000", "qty": "5.00000000", "commission": "19.99500000", "commissionAsset": "USDT", "tradeId": 57},
           {"price": "3998.00000000", "qty": "2.00000000", "commission": "7.99600000", "commissionAsset": "USDT", "tradeId": 58},
           {"price": "3997.00000000", "qty": "1.00000000", "commission": "3.99700000", "commissionAsset": "USDT", "tradeId": 59},
           {"price": "3995.00000000", "qty": "1.00000000", "commission": "3.99500000", "commissionAsset": "USDT", "tradeId": 60}
         ]}
        """.utf8)

    /// user-data-stream.md "Order Update" (its comments removed), as a trade of one of our orders.
    static func report(execution: String, tradeId: Int64, client: String = "ats-16-7-1", original: String = "") -> Data
    {
        Data(
            """
            {"subscriptionId": 0, "event": {"e": "executionReport", "E": 1499405658658, "s": "ETHBTC",
             "c": "\(client)", "S": "BUY", "o": "LIMIT", "f": "GTC", "q": "1.00000000", "p": "0.10264410",
             "P": "0.00000000", "F": "0.00000000", "g": -1, "C": "\(original)", "x": "\(execution)", "X": "PARTIALLY_FILLED",
             "r": "NONE", "i": 4293153, "l": "0.25000000", "z": "0.25000000", "L": "0.10264410", "n": "0.00025000",
             "N": "ETH", "T": 1499405658657, "t": \(tradeId), "v": 3, "I": 8641984, "w": true, "m": false, "M": false,
             "O": 1499405658657, "Z": "0.02566102", "Y": "0.02566102", "Q": "0.00000000", "W": 1499405658657, "V": "NONE"}}
            """.utf8)
    }

    @Test func aNewOrderIsSentInDecimalWithItsClientIdAndAFullResponseAskedFor() throws {
        let p = BinanceOrders.newOrder(
            symbol: "BTCUSDT", side: .buy, type: .limit, timeInForce: .gtc,
            fitted: SymbolFilters.Fitted(quantity: VenueDecimal("0.12345000")!, price: VenueDecimal("64000.12")!),
            clientOrderId: ClientOrderId(job: 42, epoch: 7, sequence: 1), timestampMs: 1_700_000_000_000,
            recvWindowMs: 5_000)
        #expect(
            BinanceSigner.query(p)
                == "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.12345000&price=64000.12"
                + "&newClientOrderId=ats-16-7-1&newOrderRespType=FULL&recvWindow=5000&timestamp=1700000000000")
    }

    /// rest-api.md "New Order list - OCO": a sell's limit is the above leg and its stop the
    /// below one, a buy's the other way round; the list's id is distinct from its legs'.
    @Test func anOCOIsSentWithItsLegsOnTheSidesTheDocsSay() throws {
        let limit = ClientOrderId(job: 42, epoch: 7, sequence: 2)
        let stop = ClientOrderId(job: 42, epoch: 7, sequence: 3)
        let sell = BinanceOrders.newOCO(
            symbol: "BTCUSDT", side: .sell, quantity: VenueDecimal("0.12340000")!,
            limitPrice: VenueDecimal("66000.00")!, limitClientOrderId: limit, stopPrice: VenueDecimal("62000.5")!,
            stopClientOrderId: stop, timestampMs: 1_700_000_000_000, recvWindowMs: 5_000)
        #expect(
            BinanceSigner.query(sell)
                == "symbol=BTCUSDT&listClientOrderId=atl-16-7-2&side=SELL&quantity=0.12340000"
                + "&aboveType=LIMIT_MAKER&aboveClientOrderId=ats-16-7-2&abovePrice=66000.00"
                + "&belowType=STOP_LOSS&belowClientOrderId=ats-16-7-3&belowStopPrice=62000.5"
                + "&newOrderRespType=FULL&recvWindow=5000&timestamp=1700000000000")
        let buy = BinanceOrders.newOCO(
            symbol: "BTCUSDT", side: .buy, quantity: VenueDecimal("1")!, limitPrice: VenueDecimal("60000")!,
            limitClientOrderId: limit, stopPrice: VenueDecimal("65000")!, stopClientOrderId: stop,
            timestampMs: 1, recvWindowMs: 5_000)
        #expect(buy.map(\.0).contains("aboveStopPrice") && buy.first { $0.0 == "belowType" }?.1 == "LIMIT_MAKER")
        #expect(ClientOrderId(limit.listClientOrderId) == nil, "a list id never reads as an order's")
    }

    /// The docs' OCO answer (RESULT), with our ids: accepted, the venue id of the order we name.
    @Test func theDocumentedOCOAnswerIsAnAcceptedList() throws {
        let body = Data(
            """
            {"orderListId": 1, "contingencyType": "OCO", "listStatusType": "EXEC_STARTED", "listOrderStatus": "EXECUTING",
             "listClientOrderId": "atl-16-7-2", "transactionTime": 1710485608839, "symbol": "LTCBTC",
             "orders": [{"symbol": "LTCBTC", "orderId": 10, "clientOrderId": "ats-16-7-3"},
                        {"symbol": "LTCBTC", "orderId": 11, "clientOrderId": "ats-16-7-2"}],
             "orderReports": [
              {"symbol": "LTCBTC", "orderId": 10, "orderListId": 1, "clientOrderId": "ats-16-7-3", "transactTime": 1710485608839,
               "price": "1.00000000", "origQty": "5.00000000", "executedQty": "0.00000000", "origQuoteOrderQty": "0.000000",
               "cummulativeQuoteQty": "0.00000000", "status": "NEW", "timeInForce": "GTC", "type": "STOP_LOSS_LIMIT",
               "side": "SELL", "stopPrice": "1.00000000", "workingTime": -1, "icebergQty": "1.00000000",
               "selfTradePreventionMode": "NONE"},
              {"symbol": "LTCBTC", "orderId": 11, "orderListId": 1, "clientOrderId": "ats-16-7-2", "transactTime": 1710485608839,
               "price": "3.00000000", "origQty": "5.00000000", "executedQty": "0.00000000", "origQuoteOrderQty": "0.000000",
               "cummulativeQuoteQty": "0.00000000", "status": "NEW", "timeInForce": "GTC", "type": "LIMIT_MAKER",
               "side": "SELL", "workingTime": 1710485608839, "selfTradePreventionMode": "NONE"}]}
            """.utf8)
        let (response, list) = BinanceOrders.listResponse(
            status: 200, body: body, clientOrderId: ClientOrderId(job: 42, epoch: 7, sequence: 2))
        #expect(response == .accepted(venueOrderId: 11))
        #expect(list?.orders.map(\.orderId) == [10, 11] && list?.orderReports?.count == 2)
        #expect(list?.orderReports?.first?.stopPrice == VenueDecimal("1") && list?.orderReports?.last?.stopPrice == nil)
        let refused = BinanceOrders.listResponse(
            status: 400,
            body: Data(
                #"{"code": -2010, "msg": "The relationship of the prices for the orders is not correct."}"#.utf8),
            clientOrderId: ClientOrderId(job: 42, epoch: 7, sequence: 2))
        #expect(
            refused.0
                == .error(
                    httpStatus: 400, code: -2010,
                    message: "The relationship of the prices for the orders is not correct."))
    }

    @Test func theDocumentedFullResponseIsAnAcceptedOrderWithItsTrades() throws {
        let (response, order) = BinanceOrders.response(status: 200, body: Self.full)
        #expect(response == .accepted(venueOrderId: 28))
        let o = try #require(order)
        #expect(o.status == "FILLED" && o.executedQty == VenueDecimal("10"))
        #expect(o.fills.map(\.tradeId) == [56, 57, 58, 59, 60])
        #expect(o.fills[1].commission.description == "19.99500000" && o.fills[1].price == VenueDecimal("3999"))
    }

    @Test func errorsKeepTheVenuesCodeAndA5xxOrGarbageIsUnknown() {
        let rejected = BinanceOrders.response(
            status: 400,
            body: Data(#"{"code": -2010, "msg": "Account has insufficient balance for requested action."}"#.utf8))
        #expect(
            rejected.0
                == .error(
                    httpStatus: 400, code: -2010, message: "Account has insufficient balance for requested action."))
        #expect(BinanceOrders.response(status: 503, body: Data("Service Unavailable".utf8)).0 == .noAnswer)
        #expect(BinanceOrders.response(status: 200, body: Data("{}".utf8)).0 == .noAnswer, "not an order: unknown")
    }

    /// errors.md's -2010 messages that say the market is already past the order's price, and no
    /// other refusal (a balance, another code with the same words).
    @Test func refusalsThatSayTheMarketIsPastAreTold() {
        for message in [
            "Order would trigger immediately.", "Order would immediately match and take.",
            "The relationship of the prices for the orders is not correct.",
        ] {
            #expect(BinanceOrders.refusedAsMarketIsPast(code: -2010, message: message))
            #expect(!BinanceOrders.refusedAsMarketIsPast(code: -1013, message: message))
        }
        #expect(
            !BinanceOrders.refusedAsMarketIsPast(
                code: -2010, message: "Account has insufficient balance for requested action."))
    }

    @Test func anExecutionReportBecomesATradeOfTheJobsOrder() throws {
        guard
            case .executionReport(let r) = try BinanceOrders.UserDataEvent.decode(
                Self.report(execution: "TRADE", tradeId: 12))
        else {
            Issue.record("not an execution report")
            return
        }
        #expect(r.isTrade && r.tradeId == 12 && r.orderId == 4_293_153)
        #expect(r.lastQuantity == VenueDecimal("0.25") && r.lastPrice.description == "0.10264410")
        #expect(r.commissionAsset == "ETH" && r.jobOrder == ClientOrderId(job: 42, epoch: 7, sequence: 1))
        guard
            case .executionReport(let cancel) = try BinanceOrders.UserDataEvent.decode(
                Self.report(execution: "CANCELED", tradeId: -1, client: "web_cancel", original: "ats-16-7-2"))
        else { return }
        #expect(!cancel.isTrade && cancel.jobOrder == ClientOrderId(job: 42, epoch: 7, sequence: 2))
    }

    @Test func anUnknownEventIsNamedNotFatal() throws {
        let event = Data(#"{"subscriptionId": 0, "event": {"e": "somethingNew", "E": 1}}"#.utf8)
        #expect(try BinanceOrders.UserDataEvent.decode(event) == .other("somethingNew"))
    }
}

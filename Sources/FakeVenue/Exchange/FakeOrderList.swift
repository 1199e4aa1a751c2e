import ATSVenues

/// An order list on the fake venue (rest-api.md "Order lists"): an OCO's two orders, which end
/// together — when one starts to execute, or is cancelled, the other goes.
public struct FakeOrderList: Sendable, Equatable {
    public enum Status: String, Sendable { case executing = "EXECUTING", allDone = "ALL_DONE" }

    public var account: String
    public var symbol: String
    public var orderListId: Int64
    public var listClientOrderId: String
    /// Its orders' ids, the above leg first.
    public var orderIds: [Int64]
    public var status: Status = .executing
    public var transactionTime: Int64

    /// `listStatusType` as the query and stream write it: EXEC_STARTED while it works, ALL_DONE after.
    public var statusType: String { status == .executing ? "EXEC_STARTED" : "ALL_DONE" }

    /// The list's JSON as the order list endpoints write it (without `orderReports`).
    func json(orders: [FakeOrder]) -> [(String, JSONValue)] {
        [
            ("orderListId", .int(orderListId)), ("contingencyType", "OCO"), ("listStatusType", .string(statusType)),
            ("listOrderStatus", .string(status.rawValue)), ("listClientOrderId", .string(listClientOrderId)),
            ("transactionTime", .int(transactionTime)), ("symbol", .string(symbol)),
            (
                "orders",
                .array(
                    orders.map {
                        [
                            "symbol": .string($0.symbol), "orderId": .int($0.orderId),
                            "clientOrderId": .string($0.clientOrderId),
                        ]
                    })
            ),
        ]
    }

    /// The `listStatus` event (user-data-stream.md).
    func event(orders: [FakeOrder], time: Int64) -> JSONValue {
        [
            "e": "listStatus", "E": .int(time), "s": .string(symbol), "g": .int(orderListId), "c": "OCO",
            "l": .string(statusType), "L": .string(status.rawValue), "r": "NONE", "C": .string(listClientOrderId),
            "T": .int(transactionTime),
            "O": .array(
                orders.map { ["s": .string($0.symbol), "i": .int($0.orderId), "c": .string($0.clientOrderId)] }),
        ]
    }
}

import ATSVenues
import Testing

/// Client order ids: derived from (job, epoch, sequence), within Binance's allowed form, read back.
struct ClientOrderIdTests {
    @Test func idsHaveTheVenuesFormAndReadBack() throws {
        // The largest: ids and epochs below 36^8, any 64-bit sequence.
        let cases: [(Int64, Int64, Int64)] = [
            (1, 1, 0), (42, 7, 123_456), (2_821_109_907_455, 2_821_109_907_455, .max),
        ]
        for (job, epoch, seq) in cases {
            let id = ClientOrderId(job: job, epoch: epoch, sequence: seq)
            #expect(ClientOrderId.isValidForm(id.description), "\(id)")
            #expect(ClientOrderId(id.description) == id)
            #expect(id.description.hasPrefix(ClientOrderId.prefix(job: job)))
        }
        #expect(ClientOrderId(job: 42, epoch: 7, sequence: 1).description == "ats-16-7-1")
        #expect(ClientOrderId("web_12345") == nil && ClientOrderId("ats-1-2") == nil)
        #expect(
            !ClientOrderId.isValidForm("has space") && !ClientOrderId.isValidForm(String(repeating: "a", count: 37)))
    }

    @Test func everyRetryIsANewId() {
        let first = ClientOrderId(job: 3, epoch: 2, sequence: 10)
        let retry = ClientOrderId(job: 3, epoch: 2, sequence: 11)
        let resumed = ClientOrderId(job: 3, epoch: 3, sequence: 10)
        #expect(Set([first, retry, resumed].map(\.description)).count == 3)
    }
}

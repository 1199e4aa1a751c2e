import ATSShared
import Foundation
import PostgresNIO
import Testing

@testable import ATSCoordinator

/// Heartbeats of many connections at once share transactions, and every one of them is renewed.
@Suite(.serialized)
struct LeaseRenewalsTests {
    @Test func heartbeatsArrivingTogetherAreWrittenTogetherAndAllRenewed() async throws {
        try await JobStoreTests().withStore(leaseTimeout: .seconds(30)) { store in
            let workers = (0..<50).map { "w\($0)" }
            for w in workers {
                _ = try await store.connect(
                    Hello(workerId: w, host: "h", capacity: 1, labels: [], instance: "i-\(w)"), session: "s-\(w)")
            }
            try await store.client.query("UPDATE workers SET lease_expires_at = now() - interval '1 minute'")
            let renewals = LeaseRenewals(store: store)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in workers { group.addTask { try await renewals.renew(w) } }
                try await group.waitForAll()
            }
            let renewed = try await store.client.query(
                "SELECT count(*) FROM workers WHERE lease_expires_at > now() + interval '20 seconds'"
            ).decode(Int64.self).first { _ in true }
            #expect(renewed == 50, "every worker's lease renewed")
            // One statement each took 50 before; the first goes alone, the rest wait for it.
            let writes = await renewals.writes
            #expect(writes < 25, "\(writes) statements for 50 heartbeats")
            // Alone, a heartbeat is written at once.
            try await renewals.renew("w0")
            #expect(await renewals.writes == writes + 1)
        }
    }
}

import ATSShared
import Foundation

/// What the live feed says of a job that changed: the columns the dashboard's job table shows.
struct JobChange: Sendable, Codable, Equatable {
    var id: Int64
    var name: String
    var status: String
    var desiredState: String
    var worker: String?
    var barsDone: Int64
    var barsTotal: Int64
    var equity: Double?
    var lastError: String?
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, status, worker, equity
        case desiredState = "desired_state"
        case barsDone = "bars_done"
        case barsTotal = "bars_total"
        case lastError = "last_error"
        case updatedAt = "updated_at"
    }
}

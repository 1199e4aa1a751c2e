import ATSShared

/// What a job list asks for: a filter, an order and a page. Sort keys are a fixed list, so the
/// SQL is built from known words only.
public struct JobQuery: Sendable, Equatable {
    public enum Sort: String, Sendable, CaseIterable {
        case id, name, status, mode, equity, progress
        case createdAt = "created_at"
        case updatedAt = "updated_at"

        var column: String {
            switch self {
            case .id: "jobs.id"
            case .name: "name"
            case .status: "status"
            case .mode: "mode"
            case .equity: "p.equity"
            case .progress: "(CASE WHEN p.bars_total > 0 THEN p.bars_done::float8 / p.bars_total ELSE 0 END)"
            case .createdAt: "jobs.created_at"
            case .updatedAt: JobRow.updatedAt
            }
        }
    }

    public var status: JobStatus?
    /// Jobs carrying this label.
    public var label: String?
    /// Jobs whose name contains this (case-insensitive).
    public var search: String?
    public var sort: Sort = .id
    public var descending = false
    public var limit = 1000
    public var offset = 0

    public init(
        status: JobStatus? = nil, label: String? = nil, search: String? = nil, sort: Sort = .id,
        descending: Bool = false, limit: Int = 1000, offset: Int = 0
    ) {
        self.status = status
        self.label = label
        self.search = search
        self.sort = sort
        self.descending = descending
        self.limit = limit
        self.offset = offset
    }

    /// `ORDER BY` text: the sort key, then id so pages are stable; nulls (no equity yet) last.
    var orderBy: String {
        let direction = descending ? "DESC" : "ASC"
        return sort == .id ? "jobs.id \(direction)" : "\(sort.column) \(direction) NULLS LAST, jobs.id \(direction)"
    }
}

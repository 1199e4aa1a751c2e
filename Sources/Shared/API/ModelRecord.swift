import Foundation

/// A trained model registered with the cluster (`GET /api/models`): its name and content hash,
/// what it reads and writes, and the jobs whose strategy runs it.
public struct ModelRecord: Sendable, Codable, Hashable {
    /// What the model is, as read when it was added.
    public struct Summary: Sendable, Codable, Hashable {
        public var producer: String
        public var opset: Int
        public var weights: Int
        /// `name type [dims]` per input and output.
        public var inputs: [String]
        public var outputs: [String]
        public var operators: [String: Int]
        public var metadata: [String: String]

        public init(
            producer: String, opset: Int, weights: Int, inputs: [String], outputs: [String],
            operators: [String: Int], metadata: [String: String]
        ) {
            self.producer = producer
            self.opset = opset
            self.weights = weights
            self.inputs = inputs
            self.outputs = outputs
            self.operators = operators
            self.metadata = metadata
        }
    }

    public var hash: String
    public var name: String
    public var bytes: Int64
    public var summary: Summary
    public var createdBy: String
    public var createdAt: Date
    /// Jobs whose strategy runs it (a model in use cannot be removed).
    public var jobs: [String]

    public init(
        hash: String, name: String, bytes: Int64, summary: Summary, createdBy: String, createdAt: Date,
        jobs: [String] = []
    ) {
        self.hash = hash
        self.name = name
        self.bytes = bytes
        self.summary = summary
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.jobs = jobs
    }
}

import ATSShared
import Foundation
import Testing

@testable import ATSWorker

struct WorkerConfigurationTests {
    /// Two processes on one host must not share an id by default (issue 16, defect 7).
    @Test func theDefaultWorkerIdIsUniquePerProcess() throws {
        let c = try WorkerConfiguration(environment: Environment(values: ["ATS_WORKER_TOKEN": "0123456789abcdef0123"]))
        #expect(c.workerId == "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)")
        let named = try WorkerConfiguration(
            environment: Environment(values: ["ATS_WORKER_TOKEN": "0123456789abcdef0123", "ATS_WORKER_ID": "box-1"]))
        #expect(named.workerId == "box-1")
    }
}

import Testing

@testable import ATSWorker

/// What a worker's jobs write stays bounded however many it runs: the progress and checkpoint
/// intervals grow with the jobs so the worker's total stays within its budget, between the
/// fastest (a few jobs) and the slowest (what a dashboard and a failover may lag).
struct JobCadenceTests {
    @Test func aFewJobsReportAtTheFastestInterval() {
        let cadence = JobCadence(progressPerSecond: 50, checkpointsPerSecond: 10)
        #expect(cadence.progressInterval == .milliseconds(250))
        #expect(cadence.checkpointInterval == .seconds(10))
        for _ in 0..<12 { cadence.started() }
        #expect(cadence.progressInterval == .milliseconds(250), "12 jobs × 4 a second is within 50 a second")
    }

    @Test func thousandsOfJobsStayWithinTheBudget() {
        let cadence = JobCadence(progressPerSecond: 50, checkpointsPerSecond: 10)
        for _ in 0..<500 { cadence.started() }
        #expect(cadence.progressInterval == .seconds(10), "500 jobs a report each 10 s: 50 a second")
        #expect(cadence.checkpointInterval == .seconds(50), "500 jobs a checkpoint each 50 s: 10 a second")
        for _ in 0..<5_000 { cadence.started() }
        #expect(cadence.progressInterval == .seconds(30), "never slower than the slowest")
        #expect(cadence.checkpointInterval == .seconds(300))
        for _ in 0..<5_490 { cadence.ended() }
        #expect(cadence.jobs == 10)
        #expect(cadence.progressInterval == .milliseconds(250))
    }

    @Test func jobsTakenTogetherCheckpointAtPhasesOfTheirOwn() {
        let cadence = JobCadence(progressPerSecond: 50, checkpointsPerSecond: 10)
        for _ in 0..<500 { cadence.started() }
        let phases = (1...500 as ClosedRange<Int64>).map { cadence.phase(of: $0) }
        #expect(phases.allSatisfy { $0 >= .zero && $0 < cadence.checkpointInterval })
        #expect(Set(phases).count == 500, "500 consecutive ids, 500 phases")
    }

    @Test func theBudgetIsPerWorker() {
        #expect(JobCadence.interval(100, perSecond: 200, .milliseconds(100), .seconds(30)) == .milliseconds(500))
        #expect(JobCadence.interval(0, perSecond: 1, .milliseconds(100), .seconds(30)) == .seconds(1))
    }
}

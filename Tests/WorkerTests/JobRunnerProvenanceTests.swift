import ATSEngine
import ATSShared
import Testing

@testable import ATSWorker

/// A worker resumes only a checkpoint it can reproduce bit for bit, and says why not otherwise
/// (issue 16, defect 6).
struct JobRunnerProvenanceTests {
    func assignment(engine: String, hash: String, checkpoint: [UInt8] = [1]) -> AssignJob {
        AssignJob(
            jobId: 1, epoch: 2, name: "j", spec: [], checkpoint: checkpoint, checkpointRevision: 1,
            checkpointEngine: engine, checkpointDataHash: hash)
    }

    @Test func aCheckpointOfThisEngineOnTheSameDataResumes() {
        let a = assignment(engine: ReproducibilityStamp.engineVersion, hash: "xxh3:aa")
        #expect(JobRunner.provenanceProblem(a, dataHash: "xxh3:aa") == nil)
        #expect(JobRunner.provenanceProblem(assignment(engine: "", hash: ""), dataHash: "xxh3:aa") == nil, "unrecorded")
        #expect(JobRunner.provenanceProblem(assignment(engine: "x", hash: "y", checkpoint: []), dataHash: "z") == nil)
    }

    @Test func anotherEngineOrOtherDataIsRefusedWithTheReason() {
        let engine = JobRunner.provenanceProblem(
            assignment(engine: "ats-engine 0.1.0", hash: "xxh3:aa"), dataHash: "xxh3:aa")
        #expect(engine?.contains("written by ats-engine 0.1.0") == true && engine?.contains("bit for bit") == true)
        let data = JobRunner.provenanceProblem(
            assignment(engine: ReproducibilityStamp.engineVersion, hash: "xxh3:aa"), dataHash: "xxh3:bb")
        #expect(data?.contains("data file differs") == true && data?.contains("xxh3:bb") == true)
    }
}

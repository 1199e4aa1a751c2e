import Testing

@testable import ATSCoordinator

/// The sign-in throttle (issue 16, defect 8): per name and per address, never reset wholesale.
struct LoginThrottleTests {
    @Test func randomNamesNoLongerUnlockAnAccount() async {
        let throttle = LoginThrottle(perName: 5, perAddress: 1_000_000, capacity: 100_000)
        let t0 = ContinuousClock.now
        for _ in 0..<5 { #expect(await throttle.begin("alice", address: "10.0.0.1", now: t0) == .proceed) }
        #expect(await throttle.begin("alice", address: "10.0.0.1", now: t0) != .proceed)
        // Today's code forgot every count after 10,000 names.
        for k in 0..<10_001 { _ = await throttle.begin("random-\(k)", address: "10.0.\(k % 250).2", now: t0) }
        #expect(await throttle.begin("alice", address: "10.9.9.9", now: t0) != .proceed)
        // The window passes: alice may try again.
        #expect(await throttle.begin("alice", address: "10.9.9.9", now: t0 + .seconds(301)) == .proceed)
    }

    @Test func oneAddressTryingManyNamesIsSlowedToo() async {
        let throttle = LoginThrottle(perName: 5, perAddress: 20)
        let t0 = ContinuousClock.now
        for k in 0..<20 { #expect(await throttle.begin("name-\(k)", address: "203.0.113.7", now: t0) == .proceed) }
        #expect(await throttle.begin("another", address: "203.0.113.7", now: t0) != .proceed)
        #expect(await throttle.begin("another", address: "198.51.100.1", now: t0) == .proceed)
    }

    @Test func aSuccessTakesItsAttemptBackAndClearsTheName() async {
        let throttle = LoginThrottle(perName: 2, perAddress: 3)
        let t0 = ContinuousClock.now
        #expect(await throttle.begin("dave", address: "a", now: t0) == .proceed)
        await throttle.succeeded("dave", address: "a")
        for _ in 0..<3 {
            #expect(await throttle.begin("dave", address: "a", now: t0) == .proceed)
            await throttle.succeeded("dave", address: "a")
        }
        #expect(await throttle.trackedKeys == 0)
    }

    /// Full: new names and addresses wait (nothing already counted is forgotten).
    @Test func aFullThrottleRefusesNewcomersRatherThanForgetting() async {
        let throttle = LoginThrottle(perName: 5, perAddress: 100, capacity: 4)
        let t0 = ContinuousClock.now
        #expect(await throttle.begin("a", address: "x", now: t0) == .proceed)
        #expect(await throttle.begin("b", address: "x", now: t0) == .proceed)
        #expect(await throttle.begin("c", address: "y", now: t0) == .wait(nil))
        #expect(await throttle.begin("a", address: "x", now: t0) == .proceed, "known keys go on")
        #expect(await throttle.begin("c", address: "y", now: t0 + .seconds(301)) == .proceed, "after the window")
    }

    @Test func theHashGateAdmitsItsLimit() {
        let gate = HashGate(limit: 2)
        #expect(gate.enter() && gate.enter())
        #expect(!gate.enter())
        gate.leave()
        #expect(gate.enter())
    }
}

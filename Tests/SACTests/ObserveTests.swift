import CSac
import XCTest

/// sac_observe, sac_replay_size and sac_agent_counters.
final class ObserveTests: XCTestCase {
    private let obs: [Float] = [0.1, 0.2, 0.3]
    private let action: [Float] = [0.5]
    private let nextObs: [Float] = [0.4, 0.5, 0.6]

    func testObserveIncrementsEnvironmentStepsAndReplaySize() throws {
        let agent = try makeAgent()
        let start = snapshot(agent)
        XCTAssertEqual([start.environmentSteps, start.gradientSteps, start.replaySize], [0, 0, 0])
        for k in 1...3 {
            observeTransitions(agent, (k - 1)..<k)
            let now = snapshot(agent)
            XCTAssertEqual(now.environmentSteps, UInt64(k))
            XCTAssertEqual(now.replaySize, UInt64(k))
            XCTAssertEqual(now.gradientSteps, 0)
        }
    }

    func testReplaySizeSaturatesAtReplayCapacity() throws {
        let agent = try makeAgent()  // replay_capacity 64
        observeTransitions(agent, 0..<64)
        XCTAssertEqual(snapshot(agent).replaySize, 64)
        observeTransitions(agent, 64..<70)
        let full = snapshot(agent)
        XCTAssertEqual(full.replaySize, 64)
        XCTAssertEqual(full.environmentSteps, 70)
    }

    func testObserveAcceptsTerminatedTruncatedAndOutOfBoundsActions() throws {
        let agent = try makeAgent()  // bounds [-2, 2]
        let calls: [(action: Float, terminated: Int32, truncated: Int32)] = [(5, 1, 0), (-7, 0, 1), (2, 1, 1), (-2, 0, 0)]
        for call in calls {
            let status = sac_observe(agent, obs, 3, [call.action], 1, 1, nextObs, 3, call.terminated, call.truncated)
            assertStatus(status, SAC_OK, lastErrorMessage())
        }
        XCTAssertEqual(snapshot(agent).replaySize, 4)
    }

    func testObserveRejectsNullAgent() {
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_observe", mentioning: ["agent", "NULL"]) {
            sac_observe(nil, obs, 3, action, 1, 0, nextObs, 3, 0, 0)
        }
    }

    func testObserveRejectsNullObservation() throws {
        try assertObserveRejects(SAC_ERR_NULL_ARGUMENT, mentioning: ["obs is NULL"]) { agent in
            sac_observe(agent, nil, 3, action, 1, 0, nextObs, 3, 0, 0)
        }
    }

    func testObserveRejectsNullAction() throws {
        try assertObserveRejects(SAC_ERR_NULL_ARGUMENT, mentioning: ["action", "NULL"]) { agent in
            sac_observe(agent, obs, 3, nil, 1, 0, nextObs, 3, 0, 0)
        }
    }

    func testObserveRejectsNullNextObservation() throws {
        try assertObserveRejects(SAC_ERR_NULL_ARGUMENT, mentioning: ["next_obs", "NULL"]) { agent in
            sac_observe(agent, obs, 3, action, 1, 0, nil, 3, 0, 0)
        }
    }

    func testObserveRejectsWrongObservationLength() throws {
        try assertObserveRejects(SAC_ERR_LENGTH, mentioning: ["obs_len is 2", "obs_dim 3"]) { agent in
            sac_observe(agent, obs, 2, action, 1, 0, nextObs, 3, 0, 0)
        }
    }

    func testObserveRejectsWrongActionLength() throws {
        try assertObserveRejects(SAC_ERR_LENGTH, mentioning: ["action_len is 0", "action_dim 1"]) { agent in
            sac_observe(agent, obs, 3, action, 0, 0, nextObs, 3, 0, 0)
        }
    }

    func testObserveRejectsWrongNextObservationLength() throws {
        let longer: [Float] = [0.4, 0.5, 0.6, 0.7]
        try assertObserveRejects(SAC_ERR_LENGTH, mentioning: ["next_obs_len is 4", "obs_dim 3"]) { agent in
            sac_observe(agent, obs, 3, action, 1, 0, longer, 4, 0, 0)
        }
    }

    func testObserveRejectsNonFiniteObservation() throws {
        for bad in nonFinite {
            let badObs: [Float] = [0.1, bad, 0.3]
            try assertObserveRejects(SAC_ERR_NON_FINITE, mentioning: ["obs[1]"]) { agent in
                sac_observe(agent, badObs, 3, action, 1, 0, nextObs, 3, 0, 0)
            }
        }
    }

    func testObserveRejectsNonFiniteAction() throws {
        for bad in nonFinite {
            try assertObserveRejects(SAC_ERR_NON_FINITE, mentioning: ["action[0]"]) { agent in
                sac_observe(agent, obs, 3, [bad], 1, 0, nextObs, 3, 0, 0)
            }
        }
    }

    func testObserveRejectsNonFiniteReward() throws {
        for bad in nonFinite {
            try assertObserveRejects(SAC_ERR_NON_FINITE, mentioning: ["reward"]) { agent in
                sac_observe(agent, obs, 3, action, 1, bad, nextObs, 3, 0, 0)
            }
        }
    }

    func testObserveRejectsNonFiniteNextObservation() throws {
        for bad in nonFinite {
            let badNext: [Float] = [0.4, 0.5, bad]
            try assertObserveRejects(SAC_ERR_NON_FINITE, mentioning: ["next_obs[2]"]) { agent in
                sac_observe(agent, obs, 3, action, 1, 0, badNext, 3, 0, 0)
            }
        }
    }

    func testReplaySizeRejectsNullAgent() {
        var size: UInt64 = 7
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_replay_size", mentioning: ["agent", "NULL"]) {
            sac_replay_size(nil, &size)
        }
        XCTAssertEqual(size, 7)
    }

    func testReplaySizeRejectsNullOut() throws {
        let agent = try makeAgent()
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_NULL_ARGUMENT, "sac_replay_size", mentioning: ["out", "NULL"]) {
            sac_replay_size(agent, nil)
        }
    }

    func testCountersRejectNullAgent() {
        var environmentSteps: UInt64 = 7
        var gradientSteps: UInt64 = 7
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_agent_counters", mentioning: ["agent", "NULL"]) {
            sac_agent_counters(nil, &environmentSteps, &gradientSteps)
        }
        XCTAssertEqual([environmentSteps, gradientSteps], [7, 7])
    }

    func testCountersAcceptNullOutputs() throws {
        let agent = try makeAgent()
        observeTransitions(agent, 0..<2)
        var environmentSteps: UInt64 = 0
        var gradientSteps: UInt64 = 7
        assertStatus(sac_agent_counters(agent, &environmentSteps, nil), SAC_OK)
        assertStatus(sac_agent_counters(agent, nil, &gradientSteps), SAC_OK)
        assertStatus(sac_agent_counters(agent, nil, nil), SAC_OK)
        XCTAssertEqual(environmentSteps, 2)
        XCTAssertEqual(gradientSteps, 0)
    }

    private let nonFinite: [Float] = [.nan, .infinity, -.infinity]

    /// The failing observe leaves the agent (replay size and counters included) unchanged, and the
    /// agent still behaves like a twin that never saw the call.
    private func assertObserveRejects(_ expected: sac_status, mentioning mentions: [String],
                                      file: StaticString = #filePath, line: UInt = #line,
                                      _ call: (OpaquePointer) -> Int32) throws {
        let (agent, twin) = try makeTwins(file: file, line: line)
        observeTransitions(agent, 0..<3, file: file, line: line)
        observeTransitions(twin, 0..<3, file: file, line: line)
        assertFailsLeavingAgentUnchanged(agent, twin: twin, expected, "sac_observe", mentioning: mentions, file: file, line: line) {
            call(agent)
        }
        XCTAssertEqual(snapshot(agent, file: file, line: line).replaySize, 3, "replay size changed", file: file, line: line)
        _ = snapshot(twin, file: file, line: line)
        assertTwinsStillAgree(agent, twin, file: file, line: line)
    }
}

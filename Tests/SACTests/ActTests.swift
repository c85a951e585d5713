import CSac
import XCTest

/// sac_act: one observation in, one action out.
final class ActTests: XCTestCase {
    /// action_dim 2 with bounds [0, 10] and [-3, -1], neither symmetric nor containing the other.
    private func skewedConfig(learningStarts: UInt64 = 0) -> sac_config {
        var config = sac_config.small()
        config.action_dim = 2
        config.setBounds(0, low: 0, high: 10)
        config.setBounds(1, low: -3, high: -1)
        config.learning_starts = learningStarts
        return config
    }

    func testActReturnsActionsInsideNonSymmetricBounds() throws {
        let policyAgent = try makeAgent(skewedConfig())
        let warmUpAgent = try makeAgent(skewedConfig(learningStarts: 1000))
        let observations: [[Float]] = [[0, 0, 0], [1, -2, 3], [100, -100, 50], [-1e4, 1e4, -1e4], [1e-30, 0.5, -0.5]]
        for agent in [policyAgent, warmUpAgent] {
            for obs in observations {
                for deterministic in [true, false] {
                    for _ in 0..<5 {
                        let action = act(agent, obs, deterministic: deterministic)
                        XCTAssertTrue((0...10).contains(action[0]), "action[0] = \(action[0]) for obs \(obs)")
                        XCTAssertTrue((-3 ... -1).contains(action[1]), "action[1] = \(action[1]) for obs \(obs)")
                    }
                }
            }
        }
    }

    func testDeterministicActIsRepeatable() throws {
        let agent = try makeAgent(skewedConfig())
        let obs: [Float] = [0.5, -1.5, 2]
        let first = deterministicAction(agent, obs)
        _ = act(agent, obs, deterministic: false)
        for _ in 0..<3 {
            XCTAssertEqual(bits(deterministicAction(agent, obs)), bits(first))
        }
    }

    func testStochasticActVariesBetweenCalls() throws {
        let agent = try makeAgent()
        let obs: [Float] = [0.5, -1.5, 2]
        let samples = (0..<5).map { _ in act(agent, obs, deterministic: false)[0] }
        XCTAssertGreaterThan(Set(samples).count, 1, "samples \(samples)")
    }

    func testWarmUpActionsIgnoreTheObservationUntilLearningStartsTransitionsAreObserved() throws {
        var config = sac_config.small()
        config.learning_starts = 3
        let (agent, twin) = try makeTwins(config)
        let obsA: [Float] = [0.5, -1.5, 2]
        let obsB: [Float] = [-3, 4, 0.25]
        let meanA = deterministicAction(agent, obsA)
        XCTAssertNotEqual(bits(meanA), bits(deterministicAction(twin, obsB)), "deterministic acts use the policy during warm-up")
        // Warm-up: uniform actions from the random stream, whatever the observation.
        for transitionsSoFar in 0..<3 {
            XCTAssertEqual(bits(act(agent, obsA, deterministic: false)), bits(act(twin, obsB, deterministic: false)),
                           "after \(transitionsSoFar) transitions")
            observeTransitions(agent, transitionsSoFar..<(transitionsSoFar + 1))
            observeTransitions(twin, transitionsSoFar..<(transitionsSoFar + 1))
        }
        // learning_starts reached: samples from the policy, which depend on the observation.
        XCTAssertNotEqual(bits(act(agent, obsA, deterministic: false)), bits(act(twin, obsB, deterministic: false)))
        XCTAssertEqual(bits(deterministicAction(agent, obsA)), bits(meanA), "observing changed the policy")
    }

    func testActRejectsNullAgent() {
        var action: [Float] = [7]
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_act", mentioning: ["agent", "NULL"]) {
            sac_act(nil, [0, 0, 0], 3, 1, &action, 1)
        }
        XCTAssertEqual(action, [7])
    }

    func testActRejectsNullObservation() throws {
        let agent = try makeAgent()
        var action: [Float] = [7]
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_NULL_ARGUMENT, "sac_act", mentioning: ["obs", "NULL"]) {
            sac_act(agent, nil, 3, 1, &action, 1)
        }
        XCTAssertEqual(action, [7])
    }

    func testActRejectsNullActionBuffer() throws {
        let agent = try makeAgent()
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_NULL_ARGUMENT, "sac_act", mentioning: ["action", "NULL"]) {
            sac_act(agent, [0, 0, 0], 3, 1, nil, 1)
        }
    }

    func testActRejectsWrongObservationLength() throws {
        let agent = try makeAgent()
        var action: [Float] = [7]
        let obs: [Float] = [0, 0, 0, 0]
        for length in [0, 2, 4] {
            assertFailsLeavingAgentUnchanged(agent, SAC_ERR_LENGTH, "sac_act",
                                             mentioning: ["obs_len is \(length)", "obs_dim 3"]) {
                sac_act(agent, obs, length, 1, &action, 1)
            }
        }
        XCTAssertEqual(action, [7])
    }

    func testActRejectsWrongActionLength() throws {
        let agent = try makeAgent()
        var action: [Float] = [7, 7]
        for length in [0, 2] {
            assertFailsLeavingAgentUnchanged(agent, SAC_ERR_LENGTH, "sac_act",
                                             mentioning: ["action_len is \(length)", "action_dim 1"]) {
                sac_act(agent, [0, 0, 0], 3, 1, &action, length)
            }
        }
        XCTAssertEqual(action, [7, 7])
    }

    func testActRejectsNonFiniteObservationWithoutWritingOrAdvancingTheRandomStream() throws {
        try assertNonFiniteObservationRejected(config: .small())
    }

    func testActRejectsNonFiniteObservationDuringWarmUpWithoutAdvancingTheRandomStream() throws {
        var config = sac_config.small()
        config.learning_starts = 100
        try assertNonFiniteObservationRejected(config: config)
    }

    /// NaN and ±inf anywhere in obs: SAC_ERR_NON_FINITE naming the element, no write to the action,
    /// and the random stream exactly where a twin that never saw the call has it.
    private func assertNonFiniteObservationRejected(config: sac_config, file: StaticString = #filePath, line: UInt = #line) throws {
        let (agent, twin) = try makeTwins(config, file: file, line: line)
        var action: [Float] = [7]
        for (index, bad) in [(0, Float.nan), (1, .infinity), (2, -.infinity)] {
            var obs: [Float] = [0.1, 0.2, 0.3]
            obs[index] = bad
            for deterministic: Int32 in [0, 1] {
                assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_NON_FINITE, "sac_act", mentioning: ["obs[\(index)]"],
                                                 file: file, line: line) {
                    sac_act(agent, obs, 3, deterministic, &action, 1)
                }
            }
        }
        XCTAssertEqual(action, [7], "the action buffer was written", file: file, line: line)
        assertTwinsStillAgree(agent, twin, file: file, line: line)
    }
}

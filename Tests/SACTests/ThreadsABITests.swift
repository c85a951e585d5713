import CSac
import XCTest

/// sac_agent_set_threads: 1 or 2 threads, the same results either way.
final class ThreadsABITests: XCTestCase {
    func testTwoThreadsTrainExactlyLikeOne() throws {
        for config in [sac_config.small(), .smallDiscrete(SAC_ALGO_DISCRETE), .smallDiscrete(SAC_ALGO_SOFT_Q)] {
            let (agent, twin) = try makeTwins(config)
            assertStatus(sac_agent_set_threads(agent, 2), SAC_OK, lastErrorMessage())
            observeTransitions(agent, 0..<16)
            observeTransitions(twin, 0..<16)
            XCTAssertEqual(bits(update(agent, steps: 5)), bits(update(twin, steps: 5)), "algorithm \(config.algorithm)")
            XCTAssertEqual(jsonBytes(agent, SAC_JSON_CHECKPOINT), jsonBytes(twin, SAC_JSON_CHECKPOINT))
            assertStatus(sac_agent_set_threads(agent, 1), SAC_OK, lastErrorMessage())
            assertStatus(sac_agent_set_threads(agent, 2), SAC_OK, "back to 2, then destroyed with its helper thread")
            assertTwinsStillAgree(agent, twin)
        }
    }

    func testOtherThreadCountsAndNullAreRejected() throws {
        let (agent, twin) = try makeTwins()
        for bad: UInt32 in [0, 3, .max] {
            assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_INVALID_ARGUMENT, "sac_agent_set_threads",
                                             mentioning: ["threads is \(bad)", "1 or 2"]) {
                sac_agent_set_threads(agent, bad)
            }
        }
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_agent_set_threads", mentioning: ["agent"]) { sac_agent_set_threads(nil, 2) }
        assertTwinsStillAgree(agent, twin)
    }
}

import CSac
import XCTest

/// sac_agent_set_threads: 1 to 64 threads, the same results whatever the count.
final class ThreadsABITests: XCTestCase {
    func testSeveralThreadsTrainExactlyLikeOne() throws {
        var v1 = sac_config.small()
        v1.algorithm = Int32(SAC_ALGO_CONTINUOUS_V1.rawValue)
        for (config, threads) in [(sac_config.small(), 2), (v1, 3), (.smallDiscrete(SAC_ALGO_DISCRETE), 4),
                                  (.smallDiscrete(SAC_ALGO_SOFT_Q), 3), (sac_config.small(), 4)] {
            let (agent, twin) = try makeTwins(config)
            assertStatus(sac_agent_set_threads(agent, UInt32(threads)), SAC_OK, lastErrorMessage())
            observeTransitions(agent, 0..<16)
            observeTransitions(twin, 0..<16)
            XCTAssertEqual(bits(update(agent, steps: 5)), bits(update(twin, steps: 5)), "algorithm \(config.algorithm), \(threads) threads")
            XCTAssertEqual(jsonBytes(agent, SAC_JSON_CHECKPOINT), jsonBytes(twin, SAC_JSON_CHECKPOINT))
            assertStatus(sac_agent_set_threads(agent, 1), SAC_OK, lastErrorMessage())
            assertStatus(sac_agent_set_threads(agent, 2), SAC_OK, "back to 2, then destroyed with its helper thread")
            assertTwinsStillAgree(agent, twin)
        }
    }

    func testOtherThreadCountsAndNullAreRejected() throws {
        let (agent, twin) = try makeTwins()
        for bad: UInt32 in [0, 65, .max] {
            assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_INVALID_ARGUMENT, "sac_agent_set_threads",
                                             mentioning: ["threads is \(bad)", "1 to 64"]) {
                sac_agent_set_threads(agent, bad)
            }
        }
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_agent_set_threads", mentioning: ["agent"]) { sac_agent_set_threads(nil, 2) }
        assertTwinsStillAgree(agent, twin)
    }
}

import CSac
import Foundation
import XCTest

/// The divergence guard: an update whose losses or new weights are not finite returns
/// SAC_ERR_DIVERGED and leaves the agent exactly as before the call (its checkpoint is byte for byte
/// the same, and it goes on as if the call had never happened). Before it, one update on rewards of
/// 1e30 returned SAC_OK and left every weight NaN.
final class DivergenceGuardTests: XCTestCase {
    func testAnUpdateOnRewardsOf1e30FailsAndChangesNothing() throws {
        for (name, config) in everyAlgorithm {
            for threads: UInt32 in [1, 2] {
                var config = config
                config.replay_capacity = 8  // one batch: the huge transitions replace the normal ones
                let agent = try makeAgent(config)
                assertStatus(sac_agent_set_threads(agent, threads), SAC_OK)
                observeTransitions(agent, 0..<8)
                _ = update(agent, steps: 2)
                observe(agent, count: 8, obs: 0.5, reward: 1e30)
                assertUpdateDiverges(agent, mentioning: ["critic_loss"], "\(name), \(threads) thread(s)") {
                    var stats = sac_update_stats()
                    stats.struct_size = sizeofStats
                    return sac_update(agent, 1, &stats)
                }
            }
        }
    }

    func testAnUpdateOnObservationsOf1e20FailsAndChangesNothing() throws {
        for (name, config) in everyAlgorithm {
            let agent = try makeAgent(config)
            observe(agent, count: 8, obs: 1e20, reward: 1)
            assertUpdateDiverges(agent, mentioning: ["diverged"], name) { sac_update(agent, 1, nil) }
        }
    }

    func testACallerBatchThatDivergesChangesNothingAndTheAgentGoesOnAsIfItHadNotBeenCalled() throws {
        for (name, config) in everyAlgorithm {
            let (agent, twin) = try makeTwins(config)
            for handle in [agent, twin] {
                observeTransitions(handle, 0..<20)
                _ = update(handle)
            }
            var rows = UpdateFromBatchTests.Rows([0, 1, 2, 3], config: config)
            rows.rewards = rows.rewards.map { $0 * 1e30 }
            assertUpdateDiverges(agent, mentioning: ["critic_loss"], name) {
                var stats = sac_update_stats()
                stats.struct_size = sizeofStats
                return rows.withBatch(discrete: config.isDiscrete) { sac_update_from_batch(agent, &$0, &stats) }
            }
            // The random state was restored too: both agents act, update and save alike from here on.
            assertTwinsStillAgree(agent, twin)
            XCTAssertEqual(jsonBytes(agent, SAC_JSON_CHECKPOINT), jsonBytes(twin, SAC_JSON_CHECKPOINT), name)
        }
    }

    /// A call of many steps that diverges at a later step is undone as a whole: the steps before the
    /// diverging one are rolled back too.
    func testAManyStepUpdateThatDivergesLateIsUndoneAsAWhole() throws {
        for (name, config) in everyAlgorithm {
            var config = config
            config.seed = 3
            let agent = try makeAgent(config)
            observeTransitions(agent, 0..<63)
            observe(agent, count: 1, obs: 0.5, reward: 1e30)  // one in 64: a batch of 8 draws it now and then
            let message = assertUpdateDiverges(agent, mentioning: ["of 40 diverged"], name) { sac_update(agent, 40, nil) }
            let step = try XCTUnwrap(Int(message.split(separator: " ").drop { $0 != "step" }.dropFirst().first ?? ""), message)
            XCTAssertGreaterThan(step, 1, "\(name): this test wants earlier steps that succeeded: \(message)")
        }
    }

    // MARK: - Helpers

    /// Stores `count` transitions whose observations are all `obs` and whose reward is `reward`.
    private func observe(_ agent: OpaquePointer, count: Int, obs: Float, reward: Float) {
        let config = agentConfig(agent)
        let observation = [Float](repeating: obs, count: Int(config.obs_dim))
        for k in 0..<count {
            let status = config.isDiscrete
                ? sac_observe_discrete(agent, observation, observation.count, Int32(k % Int(config.n_actions)), reward,
                                       observation, observation.count, 0, 0)
                : sac_observe(agent, observation, observation.count, [0.5], 1, reward, observation, observation.count, 0, 0)
            assertStatus(status, SAC_OK, lastErrorMessage())
        }
    }

    /// `call` must return SAC_ERR_DIVERGED with a message saying nothing was applied, and the agent's
    /// checkpoint must be the same bytes before and after. Returns the message.
    @discardableResult
    private func assertUpdateDiverges(_ agent: OpaquePointer, mentioning mentions: [String], _ context: String,
                                      file: StaticString = #filePath, line: UInt = #line, _ call: () -> Int32) -> String {
        let before = jsonBytes(agent, SAC_JSON_CHECKPOINT, file: file, line: line)
        let primer = primeLastError()
        assertStatus(call(), SAC_ERR_DIVERGED, context, file: file, line: line)
        let message = lastErrorMessage()
        XCTAssertNotEqual(message, primer, context, file: file, line: line)
        for word in mentions + ["diverged", "exactly as before the call"] {
            XCTAssertTrue(message.contains(word), "\(context): \"\(message)\" does not mention \(word)", file: file, line: line)
        }
        XCTAssertEqual(jsonBytes(agent, SAC_JSON_CHECKPOINT, file: file, line: line), before,
                       "\(context): the checkpoint changed", file: file, line: line)
        return message
    }
}

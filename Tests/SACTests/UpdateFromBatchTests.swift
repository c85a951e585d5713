import CSac
import Foundation
import SACCore
import XCTest

/// sac_update_from_batch: one gradient step on the caller's batch.
final class UpdateFromBatchTests: XCTestCase {
    /// The caller's side of a sac_batch: arrays that outlive the call.
    struct Rows {
        var obs: [Float] = []
        var actions: [Float] = []
        var indices: [Int32] = []
        var rewards: [Float] = []
        var nextObs: [Float] = []
        var terminated: [UInt8] = []
        var count: Int { rewards.count }

        /// Transitions `ks` of the made-up trajectory, as observeTransitions stores them.
        init(_ ks: [Int], config: sac_config) {
            for k in ks {
                let t = Transition(k, obsDim: Int(config.obs_dim), actionDim: Int(config.action_dim))
                obs += t.obs
                nextObs += t.nextObs
                actions += t.action
                indices.append(Int32(k % max(Int(config.n_actions), 1)))
                rewards.append(t.reward)
                terminated.append(t.terminated ? 1 : 0)
            }
        }

        /// Calls `body` with a sac_batch over these rows (actions or indices by the agent's kind).
        func withBatch<R>(discrete: Bool, _ body: (inout sac_batch) -> R) -> R {
            obs.withUnsafeBufferPointer { obs in
                actions.withUnsafeBufferPointer { actions in
                    indices.withUnsafeBufferPointer { indices in
                        rewards.withUnsafeBufferPointer { rewards in
                            nextObs.withUnsafeBufferPointer { nextObs in
                                terminated.withUnsafeBufferPointer { terminated in
                                    var batch = sac_batch(
                                        struct_size: MemoryLayout<sac_batch>.stride, n: count, obs: obs.baseAddress,
                                        actions: discrete ? nil : actions.baseAddress,
                                        action_indices: discrete ? indices.baseAddress : nil,
                                        rewards: rewards.baseAddress, next_obs: nextObs.baseAddress,
                                        terminated: terminated.baseAddress)
                                    return body(&batch)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The replay slots sac_update will sample next: its random state is in the checkpoint, and a
    /// sample draws one index per row with the library's generator.
    func nextSampleSlots(_ agent: OpaquePointer, count: Int, rows: Int) throws -> [Int] {
        let json = try JSONSerialization.jsonObject(with: Data(jsonBytes(agent, SAC_JSON_CHECKPOINT))) as? [String: Any]
        let words = try XCTUnwrap((json?["rng"] as? [String: Any])?["state"] as? [String])
        var random = RandomSource(seed: 0)
        let state = try words.map { try XCTUnwrap(UInt64($0, radix: 16)) }
        random.state = (state[0], state[1], state[2], state[3])
        return (0..<rows).map { _ in random.index(below: count) }
    }

    /// The claim of the header: the same batch gives the same step as sac_update. The twin takes
    /// sac_update's sample as a caller's batch; it skips the sample's random draws with warm-up
    /// actions (one draw each) before its last transition ends the warm-up, so both then step with
    /// the same noise.
    func testTheSameBatchAsAnInternalSampleGivesTheSameUpdate() throws {
        var v1 = sac_config.small()
        v1.algorithm = Int32(SAC_ALGO_CONTINUOUS_V1.rawValue)
        for var config in [sac_config.small(), v1, .smallDiscrete(SAC_ALGO_DISCRETE), .smallDiscrete(SAC_ALGO_SOFT_Q)] {
            config.learning_starts = 30  // the first update follows the 30th transition
            let (agent, twin) = try makeTwins(config)
            observeTransitions(agent, 0..<30)
            observeTransitions(twin, 0..<29)
            let rows = Int(config.batch_size)
            let slots = try nextSampleSlots(agent, count: 30, rows: rows)
            let expected = update(agent)

            var skip = [Float](repeating: 0, count: rows)
            var skipIndices = [Int32](repeating: 0, count: rows)
            let obs = [Float](repeating: 0, count: rows * 3)
            let skipped = config.isDiscrete
                ? sac_act_discrete_batch(twin, obs, rows, obs.count, 0, &skipIndices, rows)
                : sac_act_batch(twin, obs, rows, obs.count, 0, &skip, rows)
            assertStatus(skipped, SAC_OK, lastErrorMessage())
            observeTransitions(twin, 29..<30)
            var stats = sac_update_stats()
            stats.struct_size = sizeofStats
            let status = Rows(slots, config: config).withBatch(discrete: config.isDiscrete) { batch in
                sac_update_from_batch(twin, &batch, &stats)
            }
            assertStatus(status, SAC_OK, lastErrorMessage())
            XCTAssertEqual(bits(stats), bits(expected), "algorithm \(config.algorithm)")
            XCTAssertEqual(jsonBytes(twin, SAC_JSON_CHECKPOINT), jsonBytes(agent, SAC_JSON_CHECKPOINT),
                           "algorithm \(config.algorithm): the agents differ after the step")
        }
    }

    func testAStepCountsLeavesTheReplayAloneAndAcceptsFewerRowsThanBatchSize() throws {
        let agent = try makeAgent()
        var stats = sac_update_stats()
        stats.struct_size = sizeofStats
        let status = Rows([0, 1, 2], config: .small()).withBatch(discrete: false) { sac_update_from_batch(agent, &$0, &stats) }
        assertStatus(status, SAC_OK, lastErrorMessage())
        XCTAssertGreaterThan(stats.critic_loss, 0)
        let after = snapshot(agent)
        XCTAssertEqual(after.gradientSteps, 1)
        XCTAssertEqual(after.replaySize, 0)
        XCTAssertEqual(after.environmentSteps, 0)
    }

    func testBadBatchesAreRejectedLeavingTheAgentUnchanged() throws {
        let (agent, twin) = try makeTwins()
        observeTransitions(agent, 0..<8)
        observeTransitions(twin, 0..<8)
        let good = Rows(Array(0..<4), config: .small())
        func rejects(_ expected: sac_status, _ mentions: [String], _ rows: Rows = good, discrete: Bool = false,
                     line: UInt = #line, _ edit: (inout sac_batch) -> Void = { _ in }) {
            assertFailsLeavingAgentUnchanged(agent, twin: twin, expected, "sac_update_from_batch", mentioning: mentions,
                                             line: line) {
                rows.withBatch(discrete: discrete) { batch in
                    edit(&batch)
                    return sac_update_from_batch(agent, &batch, nil)
                }
            }
        }
        rejects(SAC_ERR_LENGTH, ["batch->n", "0"]) { $0.n = 0 }
        rejects(SAC_ERR_LENGTH, ["batch->n", "9", "batch_size"], Rows(Array(0..<9), config: .small()))
        rejects(SAC_ERR_NULL_ARGUMENT, ["batch->obs"]) { $0.obs = nil }
        rejects(SAC_ERR_NULL_ARGUMENT, ["batch->next_obs"]) { $0.next_obs = nil }
        rejects(SAC_ERR_NULL_ARGUMENT, ["batch->rewards"]) { $0.rewards = nil }
        rejects(SAC_ERR_NULL_ARGUMENT, ["batch->terminated"]) { $0.terminated = nil }
        rejects(SAC_ERR_NULL_ARGUMENT, ["batch->actions"]) { $0.actions = nil }
        rejects(SAC_ERR_WRONG_ALGORITHM, ["batch->action_indices", "SAC_ALGO_CONTINUOUS"], discrete: true)
        rejects(SAC_ERR_STRUCT_SIZE, ["batch->struct_size"]) { $0.struct_size = 8 }
        var nan = good
        nan.rewards[2] = .nan
        rejects(SAC_ERR_NON_FINITE, ["batch->rewards[2]"], nan)
        var infinite = good
        infinite.nextObs[5] = -.infinity
        rejects(SAC_ERR_NON_FINITE, ["batch->next_obs[5]"], infinite)
        var badAction = good
        badAction.actions[3] = .nan
        rejects(SAC_ERR_NON_FINITE, ["batch->actions[3]"], badAction)
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_update_from_batch", mentioning: ["batch"]) {
            sac_update_from_batch(agent, nil, nil)
        }
        assertTwinsStillAgree(agent, twin)
    }

    func testDiscreteBatchesNeedValidIndices() throws {
        let (agent, twin) = try makeTwins(.smallDiscrete(actions: 3))
        var rows = Rows(Array(0..<4), config: .smallDiscrete(actions: 3))
        rows.indices[1] = 3
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_INVALID_ARGUMENT, "sac_update_from_batch",
                                         mentioning: ["batch->action_indices[1]", "3"]) {
            rows.withBatch(discrete: true) { sac_update_from_batch(agent, &$0, nil) }
        }
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_WRONG_ALGORITHM, "sac_update_from_batch",
                                         mentioning: ["batch->actions", "SAC_ALGO_DISCRETE"]) {
            rows.withBatch(discrete: false) { sac_update_from_batch(agent, &$0, nil) }
        }
        assertTwinsStillAgree(agent, twin)
    }

    func testPolicyOnlyAgentsCannotLearnFromABatch() throws {
        let trained = try makeAgent()
        let policy = try loadAgent(json: jsonBytes(trained, SAC_JSON_POLICY))
        assertFails(SAC_ERR_POLICY_ONLY, "sac_update_from_batch", mentioning: ["policy"]) {
            Rows([0, 1], config: .small()).withBatch(discrete: false) { sac_update_from_batch(policy, &$0, nil) }
        }
    }
}

import CSac
import Foundation
import XCTest

/// sac_observe_batch: n transitions at once, exactly as n sac_observe calls, all or nothing.
final class ObserveBatchTests: XCTestCase {
    typealias Rows = UpdateFromBatchTests.Rows

    private static let family: [sac_config] = {
        var v1 = sac_config.small()
        v1.algorithm = Int32(SAC_ALGO_CONTINUOUS_V1.rawValue)
        return [.small(), v1, .smallDiscrete(SAC_ALGO_DISCRETE), .smallDiscrete(SAC_ALGO_SOFT_Q)]
    }()

    private func observeBatch(_ agent: OpaquePointer, _ ks: Range<Int>, config: sac_config, line: UInt = #line) {
        let status = Rows(Array(ks), config: config).withBatch(discrete: config.isDiscrete) { sac_observe_batch(agent, &$0) }
        assertStatus(status, SAC_OK, lastErrorMessage(), line: line)
    }

    private func replayBytes(_ agent: OpaquePointer, in directory: String, _ name: String) throws -> Data {
        let path = directory + "/" + name
        assertStatus(sac_save_replay(agent, path), SAC_OK, lastErrorMessage())
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// Batches of 0, 7 and 93 rows into a replay of 64 (so the buffer wraps around inside a batch)
    /// leave the same checkpoint and replay file as 100 single observe calls, for every algorithm.
    func testBatchesStoreExactlyWhatSingleObservesStore() throws {
        let directory = try makeTemporaryDirectory()
        for config in Self.family {
            let (batched, single) = try makeTwins(config)
            observeBatch(batched, 0..<0, config: config)
            observeBatch(batched, 0..<7, config: config)
            observeBatch(batched, 7..<64, config: config)
            observeBatch(batched, 64..<100, config: config)
            observeTransitions(single, 0..<100)
            let name = "algorithm \(config.algorithm)"
            XCTAssertEqual(snapshot(batched).environmentSteps, 100, name)
            XCTAssertEqual(jsonBytes(batched, SAC_JSON_CHECKPOINT), jsonBytes(single, SAC_JSON_CHECKPOINT), name)
            XCTAssertEqual(try replayBytes(batched, in: directory, "b.replay"), try replayBytes(single, in: directory, "s.replay"),
                           name)
            assertTwinsStillAgree(batched, single)
        }
    }

    /// A bad value in the last row refuses the whole batch: the first rows are not stored either.
    func testBadBatchesAreRejectedWhole() throws {
        let (agent, twin) = try makeTwins()
        observeTransitions(agent, 0..<3)
        observeTransitions(twin, 0..<3)
        let good = Rows(Array(0..<6), config: .small())
        func rejects(_ expected: sac_status, _ mentions: [String], _ rows: Rows = good, discrete: Bool = false,
                     line: UInt = #line, _ edit: (inout sac_batch) -> Void = { _ in }) {
            assertFailsLeavingAgentUnchanged(agent, twin: twin, expected, "sac_observe_batch", mentioning: mentions,
                                             line: line) {
                rows.withBatch(discrete: discrete) { batch in
                    edit(&batch)
                    return sac_observe_batch(agent, &batch)
                }
            }
        }
        rejects(SAC_ERR_LENGTH, ["batch->n", "65", "0...64", "replay_capacity"], Rows(Array(0..<65), config: .small()))
        rejects(SAC_ERR_LENGTH, ["batch->n", "\(UInt.max)"]) { $0.n = -1 }
        rejects(SAC_ERR_NULL_ARGUMENT, ["batch->obs"]) { $0.obs = nil }
        rejects(SAC_ERR_NULL_ARGUMENT, ["batch->next_obs"]) { $0.next_obs = nil }
        rejects(SAC_ERR_NULL_ARGUMENT, ["batch->rewards"]) { $0.rewards = nil }
        rejects(SAC_ERR_NULL_ARGUMENT, ["batch->terminated"]) { $0.terminated = nil }
        rejects(SAC_ERR_NULL_ARGUMENT, ["batch->actions"]) { $0.actions = nil }
        rejects(SAC_ERR_NULL_ARGUMENT, ["batch->obs"]) { $0.n = 0; $0.obs = nil }
        rejects(SAC_ERR_WRONG_ALGORITHM, ["batch->action_indices", "SAC_ALGO_CONTINUOUS"], discrete: true)
        rejects(SAC_ERR_STRUCT_SIZE, ["batch->struct_size"]) { $0.struct_size = 8 }
        for (array, index, bad) in [("obs", 17, Float.nan), ("next_obs", 15, .infinity), ("rewards", 5, -.infinity),
                                    ("actions", 5, .nan)] {
            var rows = good
            switch array {
            case "obs": rows.obs[index] = bad
            case "next_obs": rows.nextObs[index] = bad
            case "rewards": rows.rewards[index] = bad
            default: rows.actions[index] = bad
            }
            rejects(SAC_ERR_NON_FINITE, ["batch->\(array)[\(index)]"], rows)
        }
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_observe_batch", mentioning: ["batch"]) { sac_observe_batch(agent, nil) }
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_observe_batch", mentioning: ["agent"]) {
            good.withBatch(discrete: false) { sac_observe_batch(nil, &$0) }
        }
        assertTwinsStillAgree(agent, twin)
    }

    func testDiscreteBatchesNeedIndicesInRangeInEveryRow() throws {
        let config = sac_config.smallDiscrete(actions: 3)
        let (agent, twin) = try makeTwins(config)
        var rows = Rows(Array(0..<5), config: config)
        rows.indices[4] = 3
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_INVALID_ARGUMENT, "sac_observe_batch",
                                         mentioning: ["batch->action_indices[4]", "3"]) {
            rows.withBatch(discrete: true) { sac_observe_batch(agent, &$0) }
        }
        rows.indices[4] = -1
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_INVALID_ARGUMENT, "sac_observe_batch",
                                         mentioning: ["batch->action_indices[4]", "-1"]) {
            rows.withBatch(discrete: true) { sac_observe_batch(agent, &$0) }
        }
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_WRONG_ALGORITHM, "sac_observe_batch",
                                         mentioning: ["batch->actions", "SAC_ALGO_DISCRETE"]) {
            rows.withBatch(discrete: false) { sac_observe_batch(agent, &$0) }
        }
        assertTwinsStillAgree(agent, twin)
    }

    func testPolicyOnlyAgentsObserveNothing() throws {
        let policy = try loadAgent(json: jsonBytes(try makeAgent(), SAC_JSON_POLICY))
        assertFails(SAC_ERR_POLICY_ONLY, "sac_observe_batch", mentioning: ["policy"]) {
            Rows([0, 1], config: .small()).withBatch(discrete: false) { sac_observe_batch(policy, &$0) }
        }
    }
}

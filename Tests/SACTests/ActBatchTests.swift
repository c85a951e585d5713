import CSac
import XCTest

/// sac_act_batch: n observations at once.
final class ActBatchTests: XCTestCase {
    /// n observations of length obsDim, row-major, all different.
    private func observations(_ n: Int, obsDim: Int = 3) -> [Float] {
        (0..<(n * obsDim)).map { k in Float(k % 7) * 0.4 - Float(k % 3) }
    }

    private func actBatch(_ agent: OpaquePointer, _ obs: [Float], n: Int, deterministic: Bool, actionDim: Int = 1,
                          file: StaticString = #filePath, line: UInt = #line) -> [Float] {
        var actions = [Float](repeating: .nan, count: n * actionDim)
        let status = sac_act_batch(agent, obs, n, obs.count, deterministic ? 1 : 0, &actions, actions.count)
        assertStatus(status, SAC_OK, "sac_act_batch: \(lastErrorMessage())", file: file, line: line)
        return actions
    }

    func testActBatchRowsEqualSingleDeterministicActs() throws {
        var config = sac_config.small()
        config.action_dim = 2
        config.setBounds(0, low: 0, high: 10)
        config.setBounds(1, low: -3, high: -1)
        let agent = try makeAgent(config)
        let n = 5
        let obs = observations(n)
        let batch = actBatch(agent, obs, n: n, deterministic: true, actionDim: 2)
        for row in 0..<n {
            let single = deterministicAction(agent, Array(obs[(row * 3)..<(row * 3 + 3)]))
            XCTAssertEqual(bits(Array(batch[(row * 2)..<(row * 2 + 2)])), bits(single), "row \(row)")
        }
    }

    func testActBatchLargerThanBatchSizeIsProcessedInChunks() throws {
        let agent = try makeAgent()
        let n = 21  // batch_size 8: chunks of 8, 8 and 5
        let obs = observations(n)
        let batch = actBatch(agent, obs, n: n, deterministic: true)
        for row in 0..<n {
            XCTAssertEqual(bits([batch[row]]), bits(deterministicAction(agent, Array(obs[(row * 3)..<(row * 3 + 3)]))), "row \(row)")
        }
    }

    func testStochasticActBatchDrawsNoiseInRowOrder() throws {
        for n in [5, 21] {
            let (agent, twin) = try makeTwins()
            let obs = observations(n)
            let batch = actBatch(agent, obs, n: n, deterministic: false)
            let singles = (0..<n).flatMap { row in act(twin, Array(obs[(row * 3)..<(row * 3 + 3)]), deterministic: false) }
            XCTAssertEqual(bits(batch), bits(singles), "n = \(n)")
        }
    }

    func testActBatchWithZeroRowsSucceedsAndChangesNothing() throws {
        let (agent, twin) = try makeTwins()
        var obs: [Float] = [42]
        var actions: [Float] = [7]
        let before = snapshot(agent)
        XCTAssertEqual(snapshot(twin), before)
        for deterministic: Int32 in [0, 1] {
            assertStatus(sac_act_batch(agent, &obs, 0, 0, deterministic, &actions, 0), SAC_OK, lastErrorMessage())
        }
        XCTAssertEqual(actions, [7])
        XCTAssertEqual(snapshot(agent), before)
        XCTAssertEqual(snapshot(twin), before)
        assertTwinsStillAgree(agent, twin)
    }

    func testActBatchRejectsObservationLengthThatDisagreesWithN() throws {
        let agent = try makeAgent()
        let obs = observations(4)
        var actions = [Float](repeating: 7, count: 3)
        for obsLen in [6, 8, 12] {
            assertFailsLeavingAgentUnchanged(agent, SAC_ERR_LENGTH, "sac_act_batch",
                                             mentioning: ["obs_len is \(obsLen)", "n = 3", "obs_dim 3"]) {
                sac_act_batch(agent, obs, 3, obsLen, 1, &actions, 3)
            }
        }
        XCTAssertEqual(actions, [7, 7, 7])
    }

    func testActBatchRejectsActionsLengthThatDisagreesWithN() throws {
        let agent = try makeAgent()
        let obs = observations(3)
        var actions = [Float](repeating: 7, count: 4)
        for actionsLen in [2, 4] {
            assertFailsLeavingAgentUnchanged(agent, SAC_ERR_LENGTH, "sac_act_batch",
                                             mentioning: ["actions_len is \(actionsLen)", "n = 3", "action_dim 1"]) {
                sac_act_batch(agent, obs, 3, 9, 1, &actions, actionsLen)
            }
        }
        XCTAssertEqual(actions, [7, 7, 7, 7])
    }

    func testActBatchRejectsNWhoseSizesOverflow() throws {
        let agent = try makeAgent()
        let obs = observations(1)
        var actions: [Float] = [7]
        let n = Int.max / 2
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_LENGTH, "sac_act_batch", mentioning: ["n = \(n)"]) {
            sac_act_batch(agent, obs, n, 3, 1, &actions, 1)
        }
        XCTAssertEqual(actions, [7])
    }

    func testActBatchRejectsNullAgent() {
        var actions: [Float] = [7]
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_act_batch", mentioning: ["agent", "NULL"]) {
            sac_act_batch(nil, [0, 0, 0], 1, 3, 1, &actions, 1)
        }
        XCTAssertEqual(actions, [7])
    }

    func testActBatchRejectsNullObservations() throws {
        let agent = try makeAgent()
        var actions: [Float] = [7]
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_NULL_ARGUMENT, "sac_act_batch", mentioning: ["obs", "NULL"]) {
            sac_act_batch(agent, nil, 1, 3, 1, &actions, 1)
        }
        XCTAssertEqual(actions, [7])
    }

    func testActBatchRejectsNullActions() throws {
        let agent = try makeAgent()
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_NULL_ARGUMENT, "sac_act_batch", mentioning: ["actions", "NULL"]) {
            sac_act_batch(agent, [0, 0, 0], 1, 3, 1, nil, 1)
        }
    }

    func testActBatchRejectsNonFiniteObservationWithoutWritingOrAdvancingTheRandomStream() throws {
        let (agent, twin) = try makeTwins()
        let n = 4
        var actions = [Float](repeating: 7, count: n)
        for (index, bad) in [(0, Float.nan), (7, .infinity), (11, -.infinity)] {
            var obs = observations(n)
            obs[index] = bad
            for deterministic: Int32 in [0, 1] {
                assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_NON_FINITE, "sac_act_batch", mentioning: ["obs[\(index)]"]) {
                    sac_act_batch(agent, obs, n, obs.count, deterministic, &actions, n)
                }
            }
        }
        XCTAssertEqual(actions, [7, 7, 7, 7])
        assertTwinsStillAgree(agent, twin)
    }
}

import CSac
import Foundation
import XCTest

/// sac_update, and determinism of the whole call sequence.
final class UpdateTests: XCTestCase {
    func testUpdateAfterABatchIsStoredReturnsFiniteStatsAndCountsGradientSteps() throws {
        let agent = try makeAgent()  // batch_size 8
        observeTransitions(agent, 0..<8)
        let stats = update(agent, steps: 3)
        XCTAssertEqual(stats.struct_size, sizeofStats)
        for (name, value) in [("critic_loss", stats.critic_loss), ("actor_loss", stats.actor_loss), ("alpha", stats.alpha),
                              ("alpha_loss", stats.alpha_loss), ("entropy", stats.entropy), ("mean_q", stats.mean_q)] {
            XCTAssertTrue(value.isFinite, "\(name) is \(value)")
        }
        XCTAssertGreaterThan(stats.alpha, 0)
        XCTAssertGreaterThanOrEqual(stats.critic_loss, 0)
        let after = snapshot(agent)
        XCTAssertEqual(after.gradientSteps, 3)
        XCTAssertEqual(after.environmentSteps, 8)
        XCTAssertEqual(after.replaySize, 8)
        XCTAssertEqual(update(agent, steps: 2).struct_size, sizeofStats)
        XCTAssertEqual(snapshot(agent).gradientSteps, 5)
    }

    func testUpdateAcceptsNullStats() throws {
        let agent = try makeAgent()
        observeTransitions(agent, 0..<8)
        assertStatus(sac_update(agent, 2, nil), SAC_OK, lastErrorMessage())
        XCTAssertEqual(snapshot(agent).gradientSteps, 2)
    }

    func testUpdateChangesThePolicy() throws {
        let agent = try makeAgent()
        observeTransitions(agent, 0..<8)
        let before = snapshot(agent).deterministicAction
        _ = update(agent, steps: 5)
        XCTAssertNotEqual(snapshot(agent).deterministicAction, before)
    }

    func testFirstUpdateReportsTheInitialTemperature() throws {
        let agent = try makeAgent()  // initial_alpha 1
        observeTransitions(agent, 0..<8)
        XCTAssertEqual(update(agent).alpha, 1)
    }

    func testFixedTemperatureKeepsAlphaAndReportsZeroAlphaLoss() throws {
        var config = sac_config.small()
        config.auto_alpha = 0
        config.initial_alpha = 1
        let agent = try makeAgent(config)
        observeTransitions(agent, 0..<8)
        for _ in 0..<3 {
            let stats = update(agent, steps: 2)
            XCTAssertEqual(stats.alpha, 1)
            XCTAssertEqual(stats.alpha_loss, 0)
        }
    }

    func testUpdateBeforeABatchIsStoredIsNotReadyAndChangesNothing() throws {
        let (agent, twin) = try makeTwins()
        observeTransitions(agent, 0..<7)
        observeTransitions(twin, 0..<7)
        let memory = PatternedMemory(count: sizeofStats)
        memory.setStructSize(sizeofStats)
        for stats in [memory.pointer(to: sac_update_stats.self), nil] {
            assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_NOT_READY, "sac_update", mentioning: ["7", "batch_size", "8"]) {
                sac_update(agent, 1, stats)
            }
        }
        XCTAssertTrue(memory.isUntouched(from: MemoryLayout<Int>.size), "stats were written")
        assertTwinsStillAgree(agent, twin)
    }

    /// As Stable-Baselines3's and CleanRL's learning_starts: no gradient step before that many
    /// transitions, counted exactly, even when a batch is stored much earlier.
    func testUpdateWaitsForLearningStartsTransitionsExactly() throws {
        var config = sac_config.small()  // batch_size 8
        config.learning_starts = 20
        let (agent, twin) = try makeTwins(config)
        observeTransitions(agent, 0..<19)
        observeTransitions(twin, 0..<19)
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_NOT_READY, "sac_update",
                                         mentioning: ["19 transitions", "learning_starts = 20"]) {
            sac_update(agent, 1, nil)
        }
        observeTransitions(agent, 19..<20)
        assertStatus(sac_update(agent, 1, nil), SAC_OK, lastErrorMessage())
        XCTAssertEqual(snapshot(agent).gradientSteps, 1)
    }

    /// A loaded checkpoint keeps its transition count: past learning_starts it trains at once,
    /// whatever the replay buffer (saved separately) holds beyond one batch.
    func testLoadedCheckpointPastLearningStartsUpdatesWithAFreshBatch() throws {
        var config = sac_config.small()
        config.learning_starts = 12
        let agent = try makeAgent(config)
        observeTransitions(agent, 0..<12)
        let copy = try loadAgent(json: jsonBytes(agent, SAC_JSON_CHECKPOINT))
        assertStatus(sac_update(copy, 1, nil), SAC_ERR_NOT_READY)
        XCTAssertTrue(lastErrorMessage().contains("batch_size = 8"), lastErrorMessage())
        observeTransitions(copy, 0..<8)
        assertStatus(sac_update(copy, 1, nil), SAC_OK, lastErrorMessage())
    }

    func testUpdateRejectsZeroGradientSteps() throws {
        let (agent, twin) = try makeTwins()
        observeTransitions(agent, 0..<8)
        observeTransitions(twin, 0..<8)
        let memory = PatternedMemory(count: sizeofStats)
        memory.setStructSize(sizeofStats)
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_INVALID_ARGUMENT, "sac_update", mentioning: ["gradient_steps", "0"]) {
            sac_update(agent, 0, memory.pointer(to: sac_update_stats.self))
        }
        XCTAssertTrue(memory.isUntouched(from: MemoryLayout<Int>.size), "stats were written")
        assertTwinsStillAgree(agent, twin)
    }

    func testUpdateRejectsNullAgent() {
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_update", mentioning: ["agent", "NULL"]) {
            sac_update(nil, 1, nil)
        }
    }

    func testUpdateRejectsStatsStructSizeTooSmall() throws {
        // 0.1.0's sac_update_stats ended at mean_q; anything shorter is an error.
        for size in [0, MemoryLayout<Int>.size, MemoryLayout<sac_update_stats>.offset(of: \.value_loss)! - 4] {
            try assertStatsStructSizeRejected(size)
        }
    }

    func testUpdateRejectsStatsStructSizeTooLarge() throws {
        try assertStatsStructSizeRejected(sizeofStats + 8)
    }

    /// With a batch available, stats->struct_size = size fails before anything happens.
    private func assertStatsStructSizeRejected(_ size: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let (agent, twin) = try makeTwins(file: file, line: line)
        observeTransitions(agent, 0..<8, file: file, line: line)
        observeTransitions(twin, 0..<8, file: file, line: line)
        let memory = PatternedMemory(count: max(size, sizeofStats))
        memory.setStructSize(size)
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_STRUCT_SIZE, "sac_update",
                                         mentioning: ["stats->struct_size", "\(size)"], file: file, line: line) {
            sac_update(agent, 1, memory.pointer(to: sac_update_stats.self))
        }
        XCTAssertTrue(memory.isUntouched(from: MemoryLayout<Int>.size), "stats were written", file: file, line: line)
        XCTAssertEqual(memory.raw.load(as: Int.self), size, "struct_size was overwritten", file: file, line: line)
        assertTwinsStillAgree(agent, twin, file: file, line: line)
    }

    func testSameSeedAndCallsGiveBitIdenticalActionsAndStats() throws {
        var config = sac_config.small(seed: 1234)
        config.learning_starts = 4
        let (a, b) = try makeTwins(config)
        XCTAssertEqual(trainingTrace(a), trainingTrace(b))
    }

    func testDifferentSeedsGiveDifferentActionsAndStats() throws {
        let a = try makeAgent(.small(seed: 1))
        let b = try makeAgent(.small(seed: 2))
        XCTAssertNotEqual(trainingTrace(a), trainingTrace(b))
    }

    func testDistinctAgentsTrainedOnTwoThreadsAtOnceMatchASequentialRun() throws {
        let expected = trainingTrace(try makeAgent(.small(seed: 5)))
        let addresses = try (0..<2).map { _ in UInt(bitPattern: try makeAgent(.small(seed: 5))) }
        final class Traces: @unchecked Sendable {  // guarded by lock
            let lock = NSLock()
            var values: [Int: [UInt32]] = [:]
        }
        let traces = Traces()
        let group = DispatchGroup()
        for (i, address) in addresses.enumerated() {
            group.enter()
            Thread {
                let trace = trainingTrace(OpaquePointer(bitPattern: address)!)
                traces.lock.withLock { traces.values[i] = trace }
                group.leave()
            }.start()
        }
        group.wait()
        traces.lock.withLock {
            XCTAssertEqual(traces.values[0], expected)
            XCTAssertEqual(traces.values[1], expected)
        }
    }
}

/// Bit patterns of every action and statistic of a short training run: stochastic and
/// deterministic acting (single and batched), observing and updating.
private func trainingTrace(_ agent: OpaquePointer) -> [UInt32] {
    var trace: [UInt32] = []
    var obs: [Float] = [0.3, -0.1, 0.7]
    for step in 0..<20 {
        let action = act(agent, obs, deterministic: false)
        trace += bits(action)
        let nextObs = obs.map { $0 * 0.9 + action[0] * 0.1 }
        let status = sac_observe(agent, obs, 3, action, 1, -obs[0] * obs[0], nextObs, 3, step == 12 ? 1 : 0, 0)
        assertStatus(status, SAC_OK, lastErrorMessage())
        if step >= 8 { trace += bits(update(agent, steps: 2)) }
        obs = step == 12 ? [0.3, -0.1, 0.7] : nextObs
    }
    var batch = [Float](repeating: 0, count: 4)
    for deterministic: Int32 in [0, 1] {
        assertStatus(sac_act_batch(agent, [1, 2, 3, -1, -2, -3, 0, 0, 0, 4, 4, 4], 4, 12, deterministic, &batch, 4), SAC_OK)
        trace += bits(batch)
    }
    return trace
}

import XCTest
@testable import SACCore

final class DeterminismTests: XCTestCase {
    func trainedParameters(seed: UInt64, updates: Int) throws -> [[Float]] {
        let agent = try smallAgent(hidden: [16, 16], batch: 16, seed: seed)
        try fillReplay(agent, count: 64)
        for _ in 0..<updates { try agent.update() }
        let obs: [Float] = [0.1, 0.2, 0.3]
        var action: [Float] = [0, 0]
        try agent.act(obs, rows: 1, deterministic: false, into: &action)
        let sac = agent.sac
        return [sac.actor.policy.network.parameters.array, sac.critics.critic1.parameters.array,
                sac.critics.critic2.parameters.array, sac.critics.target1!.parameters.array,
                sac.critics.target2!.parameters.array, sac.temperature.logAlpha.array, action]
    }

    func testSameSeedAndCallsGiveBitIdenticalWeightsAfter500Updates() throws {
        let first = try trainedParameters(seed: 3, updates: 500)
        let second = try trainedParameters(seed: 3, updates: 500)
        for (a, b) in zip(first, second) {
            XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern))
        }
    }

    func testDifferentSeedsGiveDifferentWeights() throws {
        let first = try trainedParameters(seed: 3, updates: 5)
        let second = try trainedParameters(seed: 4, updates: 5)
        XCTAssertNotEqual(first[0], second[0])
    }
}

/// Warm-up exploration is for agents that learn: an agent made from a policy file samples its
/// policy at once, whatever learning_starts says.
final class WarmUpTests: XCTestCase {
    func testOnlyTrainableAgentsWarmUp() throws {
        var continuous = smallConfig { $0.learningStarts = 1_000 }
        var discrete = smallDiscreteConfig(actions: 3) { $0.learningStarts = 1_000 }
        for config in [continuous, discrete] {
            XCTAssertTrue(try SACAgent.make(config: config).isWarmingUp)
            XCTAssertFalse(try SACAgent.make(config: config, trainable: false).isWarmingUp)
        }
        continuous.learningStarts = 0
        discrete.learningStarts = 0
        XCTAssertFalse(try SACAgent.make(config: continuous).isWarmingUp)
        XCTAssertFalse(try SACAgent.make(config: discrete).isWarmingUp)
    }
}

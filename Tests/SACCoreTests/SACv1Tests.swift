import XCTest
@testable import SACCore

/// SAC-v1's own pieces: the critics' target from the value network's target, and the value loss,
/// against finite differences and a Double reference. (The critic, actor and temperature losses are
/// the ones v2 uses, tested in LossGradientTests.)
final class SACv1Tests: XCTestCase {
    /// A small v1 agent with a sampled batch; the target value network is moved away from the value
    /// network so that the two differ. The seed keeps every ReLU input clear of the FD step.
    func prepared(seed: UInt64) throws -> (SACAgent, TransitionBatch) {
        var config = smallConfig(seed: seed) { $0.initialAlpha = 0.3; $0.gamma = 0.9 }
        config.algorithm = .continuousV1
        let agent = try SACAgent.make(config: config)
        try fillReplay(agent, count: 20)
        var random = RandomSource(seed: seed &+ 50)
        agent.sacV1.targetValue.initialize(&random)
        agent.replay.sample(into: agent.batch, random: &agent.random)
        return (agent, agent.batch)
    }

    func testValueLossGradientsMatchFiniteDifferences() throws {
        let (agent, batch) = try prepared(seed: 4)
        let v1 = agent.sacV1
        let sample = actorLoss(agent, batch)  // fixes ã, min Q(s, ã) and log π(ã|s)
        _ = v1.valueLossAndGradients(batch, smallerQ: sample.smallerQ, logProbs: sample.logProbs, alpha: agent.alpha)
        assertMatchesFiniteDifferences(v1.value.parameters.base, count: v1.value.parameterCount,
                                       analytic: v1.value.gradients.array, "value loss d/dθ_V") {
            v1.valueLossAndGradients(batch, smallerQ: sample.smallerQ, logProbs: sample.logProbs, alpha: agent.alpha)
        }
    }

    func testCriticTargetsAndValueLossMatchADoubleReference() throws {
        let (agent, batch) = try prepared(seed: 6)
        let (n, o, gamma, alpha) = (batch.size, agent.config.obsDim, 0.9, Double(agent.alpha))
        let v1 = agent.sacV1
        let targets = v1.criticTargets(batch)
        for r in 0..<n {
            let next = (0..<o).map { Double(batch.nextObservations[r * o + $0]) }
            let y = Double(batch.rewards[r]) + gamma * (1 - Double(batch.terminals[r])) * referenceForward(v1.targetValue, next)[0]
            XCTAssertEqual(Double(targets[r]), y, accuracy: 1e-5 * max(1, abs(y)), "y[\(r)]")
        }
        let sample = actorLoss(agent, batch)
        let loss = v1.valueLossAndGradients(batch, smallerQ: sample.smallerQ, logProbs: sample.logProbs, alpha: agent.alpha)
        var reference = 0.0
        for r in 0..<n {
            let s = (0..<o).map { Double(batch.observations[r * o + $0]) }
            // v̂ from the library's sampled ã: its min Q and log π are the random inputs of the loss.
            let target = Double(sample.smallerQ[r]) - alpha * Double(sample.logProbs[r])
            let error = referenceForward(v1.value, s)[0] - target
            reference += 0.5 * error * error / Double(n)
        }
        XCTAssertEqual(Double(loss), reference, accuracy: 1e-5 * max(1, reference))
        XCTAssertGreaterThan(reference, 1e-4, "a zero loss would make the comparison empty")
    }

    func testPolicyQIsTheMinimumOfBothCriticsAtTheSampledActions() throws {
        let (agent, batch) = try prepared(seed: 8)
        let sample = actorLoss(agent, batch)
        let (o, a) = (agent.config.obsDim, agent.config.actionDim)
        let (actor, critics) = (agent.sacV1.actor.policy, agent.sacV1.critics)
        for r in 0..<batch.size {
            let input = (0..<o).map { Double(batch.observations[r * o + $0]) } + (0..<a).map { Double(actor.actions[r * a + $0]) }
            let q = min(referenceForward(critics.critic1, input)[0], referenceForward(critics.critic2, input)[0])
            XCTAssertEqual(Double(sample.smallerQ[r]), q, accuracy: 1e-5 * max(1, abs(q)), "row \(r)")
        }
    }

    func testAStepMovesTheTargetValueTowardTheValueByTau() throws {
        let (agent, batch) = try prepared(seed: 3)
        let before = agent.sacV1.targetValue.parameters.array
        try agent.update(on: batch)
        let value = agent.sacV1.value.parameters.array, after = agent.sacV1.targetValue.parameters.array
        let tau = agent.config.tau
        for i in 0..<value.count {
            XCTAssertEqual(after[i], tau * value[i] + (1 - tau) * before[i], accuracy: 1e-6, "parameter \(i)")
        }
        XCTAssertEqual(agent.alpha, 0.3, "v1 keeps alpha fixed by default")
    }

    /// The actor's loss on `batch`, which draws ã and leaves min Q(s, ã) and log π(ã|s) for the value loss.
    func actorLoss(_ agent: SACAgent, _ batch: TransitionBatch) -> SquashedGaussianActor.Loss {
        let v1 = agent.sacV1
        return v1.actor.lossAndGradients(batch, critics: v1.critics, alpha: agent.alpha, random: &agent.random)
    }
}

import XCTest
@testable import SACCore

/// Each SAC loss, differentiated by the library, against central finite differences of the same
/// loss with the batch, the targets and the policy noise held fixed.
final class LossGradientTests: XCTestCase {
    func prepared(seed: UInt64 = 7) throws -> (SACAgent, TransitionBatch) {
        let agent = try smallAgent(seed: seed) { $0.initialAlpha = 0.3 }
        try fillReplay(agent, count: 20)
        agent.replay.sample(into: agent.batch, random: &agent.random)
        return (agent, agent.batch)
    }

    func testCriticLossGradientsMatchFiniteDifferences() throws {
        let (agent, batch) = try prepared()
        let y = agent.sac.criticTargets(batch, alpha: agent.alpha, random: &agent.random)
        assertTwinCriticGradientsMatchFiniteDifferences(agent.sac.critics, batch, y: y, "critic loss")
    }

    func testActorLossGradientsMatchFiniteDifferencesWithFixedNoise() throws {
        let (agent, batch) = try prepared(seed: 9)
        let noiseState = agent.random
        let alpha = agent.alpha
        let sac = agent.sac
        _ = sac.actor.lossAndGradients(batch, critics: sac.critics, alpha: alpha, random: &agent.random)
        let actor = sac.actor.policy.network
        let criticsBefore = sac.critics.critic1.parameters.array + sac.critics.critic2.parameters.array
        assertMatchesFiniteDifferences(actor.parameters.base, count: actor.parameterCount,
                                       analytic: actor.gradients.array, "actor loss d/dθ") {
            agent.random = noiseState  // the same ε for every evaluation: the reparameterised loss
            return sac.actor.lossAndGradients(batch, critics: sac.critics, alpha: alpha, random: &agent.random).loss
        }
        // The actor loss must not move the critics.
        XCTAssertEqual(sac.critics.critic1.parameters.array + sac.critics.critic2.parameters.array, criticsBefore)
    }

    func testTemperatureLossGradientMatchesFiniteDifference() throws {
        let (agent, _) = try prepared()
        let meanLogProb: Float = -0.7
        let loss = agent.sac.temperature.lossAndGradient(meanLogProb: meanLogProb)
        XCTAssertEqual(loss, -agent.sac.temperature.logAlpha[0] * (meanLogProb + agent.config.resolvedTargetEntropy))
        assertMatchesFiniteDifferences(agent.sac.temperature.logAlpha.base, count: 1, analytic: [agent.sac.temperature.gradient[0]],
                                       "temperature loss d/dlogα") {
            agent.sac.temperature.lossAndGradient(meanLogProb: meanLogProb)
        }
    }

    func testTemperatureGradientSignRaisesAlphaWhenEntropyIsBelowTarget() throws {
        let (agent, _) = try prepared()
        // The target entropy is −2 (two action dimensions). Entropy 3 is above it: alpha should fall,
        // so the gradient on log α is positive.
        _ = agent.sac.temperature.lossAndGradient(meanLogProb: -3)
        XCTAssertGreaterThan(agent.sac.temperature.gradient[0], 0)
        // Entropy −5 < −2: alpha should rise (gradient negative, so descent increases log α).
        _ = agent.sac.temperature.lossAndGradient(meanLogProb: 5)
        XCTAssertLessThan(agent.sac.temperature.gradient[0], 0)
    }
}

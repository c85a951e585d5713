import XCTest
@testable import SACCore

/// Each SAC loss, differentiated by the library, against central finite differences of the same
/// loss with the batch, the targets and the policy noise held fixed.
final class LossGradientTests: XCTestCase {
    func prepared(seed: UInt64 = 7) throws -> (ContinuousSAC, TransitionBatch) {
        let agent = try smallAgent(seed: seed) { $0.initialAlpha = 0.3 }
        try fillReplay(agent, count: 20)
        agent.replay.sample(into: agent.batch, random: &agent.random)
        return (agent, agent.batch)
    }

    func testCriticLossGradientsMatchFiniteDifferences() throws {
        let (agent, batch) = try prepared()
        agent.computeCriticTargets(batch, alpha: agent.alpha)
        _ = agent.criticLossAndGradients(batch)
        for (name, critic) in [("Q1", agent.critic1), ("Q2", agent.critic2)] {
            assertMatchesFiniteDifferences(critic.parameters.base, count: critic.parameterCount,
                                           analytic: critic.gradients.array, "critic loss d/d\(name)") {
                agent.criticLossAndGradients(batch).loss
            }
        }
    }

    func testActorLossGradientsMatchFiniteDifferencesWithFixedNoise() throws {
        let (agent, batch) = try prepared(seed: 9)
        let noiseState = agent.random
        let alpha = agent.alpha
        _ = agent.actorLossAndGradients(batch, alpha: alpha)
        let actor = agent.actor.network
        let criticsBefore = agent.critic1.parameters.array + agent.critic2.parameters.array
        assertMatchesFiniteDifferences(actor.parameters.base, count: actor.parameterCount,
                                       analytic: actor.gradients.array, "actor loss d/dθ") {
            agent.random = noiseState  // the same ε for every evaluation: the reparameterised loss
            return agent.actorLossAndGradients(batch, alpha: alpha).loss
        }
        // The actor loss must not move the critics.
        XCTAssertEqual(agent.critic1.parameters.array + agent.critic2.parameters.array, criticsBefore)
    }

    func testTemperatureLossGradientMatchesFiniteDifference() throws {
        let (agent, _) = try prepared()
        let meanLogProb: Float = -0.7
        let loss = agent.temperature.lossAndGradient(meanLogProb: meanLogProb)
        XCTAssertEqual(loss, -agent.temperature.logAlpha[0] * (meanLogProb + agent.config.resolvedTargetEntropy))
        assertMatchesFiniteDifferences(agent.temperature.logAlpha.base, count: 1, analytic: [agent.temperature.gradient[0]],
                                       "temperature loss d/dlogα") {
            agent.temperature.lossAndGradient(meanLogProb: meanLogProb)
        }
    }

    func testTemperatureGradientSignRaisesAlphaWhenEntropyIsBelowTarget() throws {
        let (agent, _) = try prepared()
        // The target entropy is −2 (two action dimensions). Entropy 3 is above it: alpha should fall,
        // so the gradient on log α is positive.
        _ = agent.temperature.lossAndGradient(meanLogProb: -3)
        XCTAssertGreaterThan(agent.temperature.gradient[0], 0)
        // Entropy −5 < −2: alpha should rise (gradient negative, so descent increases log α).
        _ = agent.temperature.lossAndGradient(meanLogProb: 5)
        XCTAssertLessThan(agent.temperature.gradient[0], 0)
    }
}

import XCTest
@testable import SACCore

/// The SAC losses recomputed in Double by a plain re-implementation written from SAC.md
/// (forward pass, target, losses), reading only the networks' parameters and the batch.
final class LossReferenceTests: XCTestCase {
    func row(_ buffer: FloatBuffer, _ r: Int, _ width: Int) -> [Double] {
        (0..<width).map { Double(buffer[r * width + $0]) }
    }

    func testCriticTargetAndLossMatchIndependentReference() throws {
        let agent = try smallAgent(batch: 16, seed: 21) { $0.initialAlpha = 0.4; $0.gamma = 0.9 }
        try fillReplay(agent, count: 30)
        // Move the targets away from the critics so that target and online networks differ.
        var random = RandomSource(seed: 22)
        let (critics, actor) = (agent.sac.critics, agent.sac.actor.policy)
        critics.target1!.initialize(&random)
        critics.target2!.initialize(&random)
        let batch = agent.batch
        agent.replay.sample(into: batch, random: &agent.random)
        let targets = agent.sac.criticTargets(batch, alpha: agent.alpha, random: &agent.random)
        // The library's a' and log π(a'|s') are inputs to the reference (they are random draws).
        let nextActions = actor.actions.array
        let nextLogProbs = actor.logProbs.array
        let (loss, meanQ) = critics.lossAndGradients(batch, y: targets)

        let (o, a, n) = (agent.config.obsDim, agent.config.actionDim, batch.size)
        let alpha = Double(agent.alpha), gamma = 0.9
        var expectedLoss = 0.0, expectedMeanQ = 0.0
        for r in 0..<n {
            let next = row(batch.nextObservations, r, o) + (0..<a).map { Double(nextActions[r * a + $0]) }
            let minTarget = min(referenceForward(critics.target1!, next)[0], referenceForward(critics.target2!, next)[0])
            let y = Double(batch.rewards[r])
                + gamma * (1 - Double(batch.terminals[r])) * (minTarget - alpha * Double(nextLogProbs[r]))
            XCTAssertEqual(Double(targets[r]), y, accuracy: 1e-4 * max(1, abs(y)))
            let input = row(batch.observations, r, o) + row(batch.actions, r, a)
            let q1 = referenceForward(critics.critic1, input)[0], q2 = referenceForward(critics.critic2, input)[0]
            expectedLoss += 0.5 * (pow(q1 - y, 2) + pow(q2 - y, 2)) / Double(n)
            expectedMeanQ += min(q1, q2) / Double(n)
        }
        XCTAssertTrue(batch.terminals.array.contains(1), "the batch should exercise the terminal mask")
        XCTAssertEqual(Double(loss), expectedLoss, accuracy: 1e-4 * max(1, expectedLoss))
        XCTAssertEqual(Double(meanQ), expectedMeanQ, accuracy: 1e-4 * max(1, abs(expectedMeanQ)))
    }

    func testActorLossMatchesIndependentReference() throws {
        let agent = try smallAgent(seed: 23) { $0.initialAlpha = 0.25 }
        try fillReplay(agent, count: 30)
        let batch = agent.batch
        agent.replay.sample(into: batch, random: &agent.random)
        let (critics, actor) = (agent.sac.critics, agent.sac.actor.policy)
        let result = agent.sac.actor.lossAndGradients(batch, critics: critics, alpha: agent.alpha, random: &agent.random)
        let (loss, meanLogProb) = (result.loss, result.meanLogProb)

        let (o, a, n) = (agent.config.obsDim, agent.config.actionDim, batch.size)
        var expectedLoss = 0.0, expectedMeanLogProb = 0.0
        for r in 0..<n {
            let obs = row(batch.observations, r, o)
            let head = referenceForward(actor.network, obs)
            var action = [Double](), logProb = 0.0
            for i in 0..<a {
                let logStd = min(max(head[a + i], -20), 2)
                let eps = Double(actor.noise[r * a + i])
                let u = head[i] + exp(logStd) * eps
                action.append(tanh(u))
                logProb += -0.5 * eps * eps - logStd - 0.5 * log(2 * Double.pi) - log(1 - pow(tanh(u), 2))
            }
            let q = min(referenceForward(critics.critic1, obs + action)[0], referenceForward(critics.critic2, obs + action)[0])
            expectedLoss += (0.25 * logProb - q) / Double(n)
            expectedMeanLogProb += logProb / Double(n)
        }
        XCTAssertEqual(Double(loss), expectedLoss, accuracy: 1e-4 * max(1, abs(expectedLoss)))
        XCTAssertEqual(Double(meanLogProb), expectedMeanLogProb, accuracy: 1e-4 * max(1, abs(expectedMeanLogProb)))
    }
}

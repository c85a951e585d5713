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

    func testAdamStepMatchesPyTorchRule() throws {
        let adam = try Adam(count: 2, learningRate: 0.1)
        let parameters = try VersionedBuffer(count: 2)
        parameters.current.assign([1.0, -2.0])
        let gradients = try FloatBuffer([0.5, -3.0])
        var m = [0.0, 0.0], v = [0.0, 0.0], p = [1.0, -2.0]
        for t in 1...3 {
            adam.step(parameters, gradients)
            XCTAssertTrue(adam.lastStepWasFinite)
            for i in 0..<2 {
                let g = Double(gradients[i])
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                let mHat = m[i] / (1 - pow(0.9, Double(t))), vHat = v[i] / (1 - pow(0.999, Double(t)))
                p[i] -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
                XCTAssertEqual(Double(parameters.current[i]), p[i], accuracy: 1e-6, "step \(t), parameter \(i)")
            }
        }
    }

    /// Each vector loop (16 or 8 lanes, then a scalar tail) and the scalar one compute exactly the
    /// formula in float, so 45 parameters (vectors and a tail) match a plain Swift loop bit for bit.
    func testVectorisedAdamStepEqualsTheScalarFormulaBitForBit() throws {
        for vectors in VectorWidth.available {
            for versioned in [true, false] {  // a new version beside the old one, or in place
                try checkAdamAgainstScalarFormula("\(vectors), versioned \(versioned)", vectors: vectors, versioned: versioned)
            }
        }
    }

    func checkAdamAgainstScalarFormula(_ label: String, vectors: VectorWidth, versioned: Bool) throws {
        let count = 45
        let adam = try Adam(count: count, learningRate: 3e-4, versioned: versioned, vectors: vectors)
        var random = RandomSource(seed: 9)
        let parameters = try VersionedBuffer(count: count, versioned: versioned)
        let gradients = try FloatBuffer(count: count)
        for i in 0..<count { parameters.current[i] = random.normal() }
        var p = parameters.current.array, m = [Float](repeating: 0, count: count), v = m
        for t in 1...4 {
            for i in 0..<count { gradients[i] = random.normal() * (i % 3 == 0 ? 1e-3 : 10) }
            adam.step(parameters, gradients)
            XCTAssertTrue(adam.lastStepWasFinite, "\(label) step \(t)")
            let (lr, b1, b2): (Float, Float, Float) = (3e-4, 0.9, 0.999)
            let stepSize = Float(Double(lr) / (1 - pow(Double(b1), Double(t))))
            let correction = Float((1 - pow(Double(b2), Double(t))).squareRoot())
            for i in 0..<count {
                let g = gradients[i]
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction + 1e-8)
            }
            XCTAssertEqual(parameters.current.array.map(\.bitPattern), p.map(\.bitPattern), "\(label) step \(t)")
            XCTAssertEqual(adam.firstMoment.array.map(\.bitPattern), m.map(\.bitPattern), "\(label) step \(t)")
            XCTAssertEqual(adam.secondMoment.array.map(\.bitPattern), v.map(\.bitPattern), "\(label) step \(t)")
        }
    }
}

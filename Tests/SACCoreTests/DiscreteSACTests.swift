import XCTest
@testable import SACCore

/// Discrete SAC's losses: gradients against finite differences, values against a Double
/// re-implementation written from the formulas, and the softmax at extreme values.
final class DiscreteSACTests: XCTestCase {
    /// A small agent and batch. Each test's seed is fixed: central differences are meaningless where
    /// a ReLU input lies within the step h of zero, and these draws keep clear of that.
    func prepared(seed: UInt64 = 3, actions: Int = 3) throws -> (DiscreteSAC, TransitionBatch) {
        let agent = try SACAgent.make(config: smallDiscreteConfig(actions: actions, seed: seed) { $0.initialAlpha = 0.3 })
            .discreteSAC
        var random = RandomSource(seed: seed &+ 100)
        let batch = try randomDiscreteBatch(size: 6, obsDim: 4, actions: actions, terminalRow: 2, random: &random)
        // Targets that differ from the critics, so the soft value is not trivially Q itself.
        agent.critics.target1!.initialize(&random)
        agent.critics.target2!.initialize(&random)
        return (agent, batch)
    }

    func testCriticLossGradientsMatchFiniteDifferences() throws {
        let (agent, batch) = try prepared(seed: 9)
        let y = agent.criticTargets(batch, alpha: agent.alpha)
        assertTwinCriticGradientsMatchFiniteDifferences(agent.critics, batch, y: y, "discrete critic loss")
    }

    func testActorLossGradientsMatchFiniteDifferences() throws {
        let (agent, batch) = try prepared(seed: 5)
        _ = agent.actorLossAndGradients(batch, alpha: agent.alpha)
        assertMatchesFiniteDifferences(agent.actor.network.parameters.base, count: agent.actor.network.parameterCount,
                                       analytic: agent.actor.network.gradients.array, "discrete actor loss d/dθ") {
            agent.actorLossAndGradients(batch, alpha: agent.alpha).loss
        }
    }

    func testTemperatureLossGradientMatchesFiniteDifference() throws {
        let (agent, _) = try prepared()
        let entropy: Float = 0.4
        _ = agent.temperature.lossAndGradient(meanLogProb: -entropy)
        assertMatchesFiniteDifferences(agent.temperature.logAlpha.base, count: 1, analytic: [agent.temperature.gradient[0]],
                                       "discrete temperature loss d/dlogα") {
            agent.temperature.lossAndGradient(meanLogProb: -entropy)
        }
        XCTAssertEqual(smallDiscreteConfig(actions: 3).resolvedTargetEntropy, 0.98 * Float(log(3.0)), accuracy: 1e-6)
    }

    func testLossesMatchAnIndependentReference() throws {
        let (agent, batch) = try prepared(seed: 8)
        let alpha = Double(agent.alpha), gamma = 0.99
        let targets = agent.criticTargets(batch, alpha: agent.alpha)
        let (criticLoss, meanQ) = agent.critics.lossAndGradients(batch, y: targets)
        let (actorLoss, entropy) = agent.actorLossAndGradients(batch, alpha: agent.alpha)

        func softmax(_ z: [Double]) -> [Double] {
            let e = z.map { exp($0 - z.max()!) }
            return e.map { $0 / e.reduce(0, +) }
        }
        var expectedCritic = 0.0, expectedQ = 0.0, expectedActor = 0.0, expectedEntropy = 0.0
        for r in 0..<batch.size {
            let s = (0..<4).map { Double(batch.observations[r * 4 + $0]) }
            let next = (0..<4).map { Double(batch.nextObservations[r * 4 + $0]) }
            let pNext = softmax(referenceForward(agent.actor.network, next))
            let qt1 = referenceForward(agent.critics.target1!, next), qt2 = referenceForward(agent.critics.target2!, next)
            let v = (0..<3).reduce(0.0) { $0 + pNext[$1] * (min(qt1[$1], qt2[$1]) - alpha * log(pNext[$1])) }
            let y = Double(batch.rewards[r]) + gamma * (1 - Double(batch.terminals[r])) * v
            XCTAssertEqual(Double(targets[r]), y, accuracy: 1e-4 * max(1, abs(y)))
            let a = Int(batch.actions[r])
            // The critics were not stepped, so their parameters are those the loss saw.
            let q1 = referenceForward(agent.critics.critic1, s), q2 = referenceForward(agent.critics.critic2, s)
            expectedCritic += 0.5 * (pow(q1[a] - y, 2) + pow(q2[a] - y, 2)) / Double(batch.size)
            expectedQ += min(q1[a], q2[a]) / Double(batch.size)
            let p = softmax(referenceForward(agent.actor.network, s))
            expectedActor += (0..<3).reduce(0.0) { $0 + p[$1] * (alpha * log(p[$1]) - min(q1[$1], q2[$1])) }
                / Double(batch.size)
            expectedEntropy -= (0..<3).reduce(0.0) { $0 + p[$1] * log(p[$1]) } / Double(batch.size)
        }
        XCTAssertEqual(Double(criticLoss), expectedCritic, accuracy: 1e-4 * max(1, expectedCritic))
        XCTAssertEqual(Double(meanQ), expectedQ, accuracy: 1e-4 * max(1, abs(expectedQ)))
        XCTAssertEqual(Double(actorLoss), expectedActor, accuracy: 1e-4 * max(1, abs(expectedActor)))
        XCTAssertEqual(Double(entropy), expectedEntropy, accuracy: 1e-5)
    }

    func testSoftmaxStaysFiniteForExtremeValues() {
        let values: [Float] = [1e4, -1e4, 0, 1e4 - 1, -1e4, -1e4]
        var p = [Float](repeating: 0, count: 6), logP = p
        Softmax.rows(values, rows: 2, columns: 3, temperature: 1, probabilities: &p, logProbabilities: &logP)
        XCTAssertTrue((p + logP).allSatisfy(\.isFinite), "\(p) \(logP)")
        XCTAssertEqual(p[0], 1, accuracy: 1e-6)
        XCTAssertEqual(p[3], 1, accuracy: 1e-6)
        XCTAssertEqual(p[0] + p[1] + p[2], 1, accuracy: 1e-6)
        XCTAssertEqual(Softmax.softMaximum([1e4, -1e4, 1e4], count: 3, temperature: 0.5), 1e4 + 0.5 * Float(log(2.0)),
                       accuracy: 1e-2)
    }

    func testFewerThanTwoActionsIsRejected() {
        XCTAssertThrowsError(try SACAgent.make(config: smallDiscreteConfig(actions: 1))) { error in
            XCTAssertTrue("\(error)".contains("n_actions"))
        }
    }
}

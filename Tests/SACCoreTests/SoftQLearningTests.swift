import XCTest
@testable import SACCore

final class SoftQLearningTests: XCTestCase {
    func prepared(seed: UInt64) throws -> (SoftQLearning, TransitionBatch) {
        let agent = try SACAgent.make(config: smallDiscreteConfig(actions: 3, algorithm: .softQ, seed: seed) {
            $0.initialAlpha = 0.5
        }).softQ
        var random = RandomSource(seed: seed &+ 7)
        let batch = try randomDiscreteBatch(size: 6, obsDim: 4, actions: 3, terminalRow: 4, random: &random)
        agent.critics.target1!.initialize(&random)
        agent.critics.target2!.initialize(&random)
        return (agent, batch)
    }

    /// The seed is fixed so that no ReLU input lies within the finite-difference step of zero.
    func testLossGradientsMatchFiniteDifferences() throws {
        let (agent, batch) = try prepared(seed: 2)
        let y = agent.criticTargets(batch)
        assertTwinCriticGradientsMatchFiniteDifferences(agent.critics, batch, y: y, "soft Q loss")
    }

    func testTargetsAreRewardPlusDiscountedSoftValueOfTheTargetHeads() throws {
        let (agent, batch) = try prepared(seed: 4)
        let targets = agent.criticTargets(batch)
        let next = agent.critics.minimum(batch.nextObservations.base, rows: 6, targets: true)
        for r in 0..<6 {
            let q = (0..<3).map { Double(next[r * 3 + $0]) }
            let softValue = 0.5 * log(q.reduce(0.0) { $0 + exp($1 / 0.5) })  // α log Σ exp(Q/α), direct
            let y = Double(batch.rewards[r]) + 0.99 * (1 - Double(batch.terminals[r])) * softValue
            XCTAssertEqual(Double(targets[r]), y, accuracy: 1e-4 * max(1, abs(y)))
        }
    }

    func testBoltzmannProbabilitiesFollowQOverAlphaAndStayFiniteAtExtremes() throws {
        let (agent, _) = try prepared(seed: 5)
        let obs: [Float] = [0.2, -0.4, 0.1, 0.9]
        let (probabilities, _) = agent.boltzmann.distribution(obs, rows: 1)
        let q = agent.critics.smaller
        let weights = (0..<3).map { exp(Double(q[$0]) / 0.5) }
        for a in 0..<3 {
            XCTAssertEqual(Double(probabilities[a]), weights[a] / weights.reduce(0, +), accuracy: 1e-6)
        }
        var p = [Float](repeating: 0, count: 3), logP = p
        Softmax.rows([1e4, -1e4, 1e4], rows: 1, columns: 3, temperature: 0.1, probabilities: &p, logProbabilities: &logP)
        XCTAssertTrue((p + logP).allSatisfy(\.isFinite))
        XCTAssertEqual(p[0], 0.5, accuracy: 1e-6)
        XCTAssertEqual(p[1], 0)
    }
}

import XCTest
@testable import SACCore

final class PendulumTests: XCTestCase {
    /// One step of Gymnasium's Pendulum-v1, written out in Double from its source formulas.
    func referenceStep(theta: Double, thetaDot: Double, u: Double) -> (Double, Double, Double) {
        let u = min(max(u, -2), 2)
        let normalized = (theta + .pi).truncatingRemainder(dividingBy: 2 * .pi)
        let wrapped = (normalized < 0 ? normalized + 2 * .pi : normalized) - .pi
        let cost = wrapped * wrapped + 0.1 * thetaDot * thetaDot + 0.001 * u * u
        var newDot = thetaDot + (3 * 10 / 2 * sin(theta) + 3.0 * u) * 0.05
        newDot = min(max(newDot, -8), 8)
        return (theta + newDot * 0.05, newDot, -cost)
    }

    func testStepMatchesGymnasiumDynamicsAndReward() {
        for (theta, thetaDot, u) in [(0.5, 0.1, 1.0), (-3.0, 7.9, -2.0), (3.1, -2, 5.0), (7.0, 0, 0.3)] {
            var env = Pendulum()
            env.setState(angle: Float(theta), angularVelocity: Float(thetaDot))
            var obs: [Float] = [0, 0, 0]
            let outcome = env.step([Float(u)], observation: &obs)
            let (newTheta, newDot, reward) = referenceStep(theta: theta, thetaDot: thetaDot, u: u)
            XCTAssertEqual(Double(outcome.reward), reward, accuracy: 1e-4)
            XCTAssertEqual(Double(obs[0]), cos(newTheta), accuracy: 1e-5)
            XCTAssertEqual(Double(obs[1]), sin(newTheta), accuracy: 1e-5)
            XCTAssertEqual(Double(obs[2]), newDot, accuracy: 1e-5)
            XCTAssertFalse(outcome.terminated)
        }
    }

    func testEpisodesAreTruncatedAfter200StepsAndNeverTerminate() {
        var env = Pendulum()
        var random = RandomSource(seed: 1)
        var obs: [Float] = [0, 0, 0]
        env.reset(random: &random, observation: &obs)
        XCTAssertTrue((-1...1).contains(obs[2]))
        for step in 1...200 {
            let outcome = env.step([0.5], observation: &obs)
            XCTAssertFalse(outcome.terminated)
            XCTAssertEqual(outcome.truncated, step == 200)
        }
    }
}

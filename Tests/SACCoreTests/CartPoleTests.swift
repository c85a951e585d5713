import XCTest
@testable import SACCore

final class CartPoleTests: XCTestCase {
    /// One Euler step of Gymnasium's CartPole-v1, written out in Double from its source formulas.
    func referenceStep(_ s: [Double], push: Int) -> [Double] {
        let (g, mc, mp, l, f, tau) = (9.8, 1.0, 0.1, 0.5, 10.0, 0.02)
        let force = push == 1 ? f : -f
        let temp = (force + mp * l * s[3] * s[3] * sin(s[2])) / (mc + mp)
        let thetaAcc = (g * sin(s[2]) - cos(s[2]) * temp) / (l * (4.0 / 3.0 - mp * cos(s[2]) * cos(s[2]) / (mc + mp)))
        let xAcc = temp - mp * l * thetaAcc * cos(s[2]) / (mc + mp)
        return [s[0] + tau * s[1], s[1] + tau * xAcc, s[2] + tau * s[3], s[3] + tau * thetaAcc]
    }

    func testStepMatchesGymnasiumDynamics() {
        for (start, push) in [([0.01, -0.02, 0.03, 0.04], 1), ([1.0, 0.5, -0.1, -0.8], 0), ([-2.0, -1.0, 0.15, 1.5], 1)] {
            var env = CartPole()
            env.setState(x: Float(start[0]), xDot: Float(start[1]), theta: Float(start[2]), thetaDot: Float(start[3]))
            var obs: [Float] = [0, 0, 0, 0]
            let outcome = env.step([Float(push)], observation: &obs)
            let expected = referenceStep(start, push: push)
            for i in 0..<4 { XCTAssertEqual(Double(obs[i]), expected[i], accuracy: 1e-5, "state \(i) from \(start)") }
            XCTAssertEqual(outcome.reward, 1)
        }
    }

    func testTerminatesWhenThePoleFallsOrTheCartLeaves() {
        var env = CartPole()
        var obs: [Float] = [0, 0, 0, 0]
        env.setState(x: 0, xDot: 0, theta: 0.2, thetaDot: 1)
        XCTAssertTrue(env.step([1], observation: &obs).terminated, "12 degrees is 0.2094 rad")
        env.setState(x: 2.39, xDot: 1, theta: 0, thetaDot: 0)
        XCTAssertTrue(env.step([1], observation: &obs).terminated)
        env.setState(x: 0, xDot: 0, theta: 0, thetaDot: 0)
        XCTAssertFalse(env.step([1], observation: &obs).terminated)
    }

    func testEpisodesAreTruncatedAt500StepsWhenBalanced() {
        var env = CartPole()
        var random = RandomSource(seed: 3)
        var obs: [Float] = [0, 0, 0, 0]
        env.reset(random: &random, observation: &obs)
        XCTAssertTrue(obs.allSatisfy { abs($0) <= 0.05 })
        // A simple balancing rule (push toward the side the pole leans to) keeps it up for 500 steps.
        for step in 1...500 {
            let push: Float = obs[2] + 0.5 * obs[3] > 0 ? 1 : 0
            let outcome = env.step([push], observation: &obs)
            XCTAssertFalse(outcome.terminated, "fell at step \(step)")
            XCTAssertEqual(outcome.truncated, step == 500)
            if outcome.terminated { return }
        }
    }
}

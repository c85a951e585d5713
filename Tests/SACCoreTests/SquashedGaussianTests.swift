import XCTest
@testable import SACCore

final class SquashedGaussianTests: XCTestCase {
    func testStableSquashingCorrectionMatchesDirectFormula() {
        for u: Float in [-6, -2.5, -1, -0.3, 0, 0.01, 0.7, 1.9, 4, 8] {
            let direct = log(1 - pow(tanh(Double(u)), 2))
            XCTAssertEqual(Double(SquashedGaussianPolicy.logOneMinusTanhSquared(u)), direct,
                           accuracy: 1e-5 * max(1, abs(direct)), "u = \(u)")
        }
    }

    func testSquashingCorrectionStaysFiniteAndAsymptoticForLargeU() {
        // For |u| → ∞, log(1 − tanh²u) = log(4) − 2|u| + O(e^(−2|u|)); the naive formula gives −∞.
        for u: Float in [20.5, -25, 40, -80, 200] {
            let value = SquashedGaussianPolicy.logOneMinusTanhSquared(u)
            XCTAssertTrue(value.isFinite, "u = \(u)")
            XCTAssertEqual(value, Float(log(4.0)) - 2 * abs(u), accuracy: 1e-3 * abs(value))
        }
    }

    /// The density of a = tanh(u), u ~ N(μ, σ²) must integrate to one over (−1, 1): a check of the
    /// change-of-variables formula that does not reuse its derivation.
    func testSquashedDensityIntegratesToOne() {
        for (mean, std) in [(0.0, 1.0), (0.8, 0.5), (-1.5, 2.0), (3.0, 0.3)] {
            let steps = 200_000
            var integral = 0.0
            // Midpoint rule over u-space mapped through a = tanh(u); da = (1 − a²) du.
            let (lo, hi) = (mean - 12 * std, mean + 12 * std)
            let du = (hi - lo) / Double(steps)
            for k in 0..<steps {
                let u = lo + (Double(k) + 0.5) * du
                let gaussian = -0.5 * pow((u - mean) / std, 2) - log(std) - 0.5 * log(2 * Double.pi)
                let logDensityOfA = gaussian - Double(SquashedGaussianPolicy.logOneMinusTanhSquared(Float(u)))
                integral += exp(logDensityOfA) * (1 - pow(tanh(u), 2)) * du
            }
            XCTAssertEqual(integral, 1, accuracy: 1e-3, "mean \(mean), std \(std)")
        }
    }

    func testSampledLogProbabilityMatchesGaussianChangeOfVariables() throws {
        let policy = try SquashedGaussianPolicy(obsDim: 2, actionDim: 3, hidden: [8], maxBatch: 4)
        var random = RandomSource(seed: 5)
        policy.network.initialize(&random)
        let obs: [Float] = [0.3, -0.2, 1.0, 0.5, -0.7, 0.1, 0.0, 2.0]
        policy.sample(obs, batch: 4, random: &random)
        // Recompute in Double from the network head: u = μ + σε, then the textbook formula.
        let head = policy.network.forward(obs, batch: 4)
        for r in 0..<4 {
            var expected = 0.0
            for i in 0..<3 {
                let mean = Double(head[r * 6 + i])
                let logStd = min(max(Double(head[r * 6 + 3 + i]), -20), 2)
                let eps = Double(policy.noise[r * 3 + i])
                let u = mean + exp(logStd) * eps
                XCTAssertEqual(Double(policy.actions[r * 3 + i]), tanh(u), accuracy: 1e-6)
                expected += -0.5 * eps * eps - logStd - 0.5 * log(2 * Double.pi) - log(1 - pow(tanh(u), 2))
            }
            XCTAssertEqual(Double(policy.logProbs[r]), expected, accuracy: 1e-4 * max(1, abs(expected)))
        }
    }

    func testExtremeNetworkOutputsGiveFiniteLogProbabilities() throws {
        let policy = try SquashedGaussianPolicy(obsDim: 1, actionDim: 1, hidden: [2], maxBatch: 3)
        // Weights that drive μ to ±60 and log σ far outside its clamp.
        policy.network.parameters.fill(0)
        let p = policy.network.parameters.base
        p[0] = 1; p[1] = 1            // layer 1 weights [1×2]
        // layer 2 weight [2×2] starts after the two hidden biases (offset 4)
        p[4] = 30; p[5] = 40; p[6] = 30; p[7] = 40
        var random = RandomSource(seed: 6)
        policy.sample([1, 1.5, 2], batch: 3, random: &random)
        for r in 0..<3 {
            XCTAssertTrue(policy.logProbs[r].isFinite, "row \(r): \(policy.logProbs[r])")
            XCTAssertEqual(policy.actions[r], 1)
        }
    }
}

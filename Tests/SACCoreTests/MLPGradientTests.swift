import XCTest
@testable import SACCore

final class MLPGradientTests: XCTestCase {
    /// L = Σ w ⊙ MLP(x) for fixed random w, so dL/d output = w.
    /// The seed is fixed: central differences are meaningless where a ReLU input lies within the
    /// step h of zero, and these draws keep every pre-activation clear of that.
    func makeProblem(sizes: [Int], batch: Int, seed: UInt64 = 3) throws -> (MLP, FloatBuffer, FloatBuffer) {
        var random = RandomSource(seed: seed)
        let net = try MLP(sizes: sizes, maxBatch: batch)
        net.initialize(&random)
        let x = try FloatBuffer(count: batch * sizes[0])
        for i in 0..<x.count { x[i] = random.uniform(-1, 1) }
        let w = try FloatBuffer(count: batch * sizes.last!)
        for i in 0..<w.count { w[i] = random.uniform(-1, 1) }
        return (net, x, w)
    }

    func loss(_ net: MLP, _ x: FloatBuffer, _ w: FloatBuffer, batch: Int) -> Float {
        let y = net.forward(x.base, batch: batch)
        var total: Float = 0
        for i in 0..<w.count { total += w[i] * y[i] }
        return total
    }

    func testSingleLinearLayerParameterAndInputGradientsMatchFiniteDifferences() throws {
        try checkNetwork(sizes: [5, 3], batch: 4)
    }

    func testMLPParameterAndInputGradientsMatchFiniteDifferences() throws {
        try checkNetwork(sizes: [4, 8, 8, 3], batch: 5)
    }

    func testWideMLPThatUsesTheVectorTileMatchesFiniteDifferences() throws {
        try checkNetwork(sizes: [6, 32, 20, 2], batch: 9, seed: 4)
    }

    func checkNetwork(sizes: [Int], batch: Int, seed: UInt64 = 3) throws {
        let (net, x, w) = try makeProblem(sizes: sizes, batch: batch, seed: seed)
        let inputGradient = try FloatBuffer(count: batch * sizes[0])
        _ = loss(net, x, w, batch: batch)
        net.backward(w.base, parameterGradients: true, inputGradient: inputGradient.base)
        let analyticParameters = net.gradients.array
        let analyticInput = inputGradient.array
        assertMatchesFiniteDifferences(net.parameters.base, count: net.parameterCount, analytic: analyticParameters,
                                       "MLP\(sizes) dL/dθ") { loss(net, x, w, batch: batch) }
        assertMatchesFiniteDifferences(x.base, count: x.count, analytic: analyticInput,
                                       "MLP\(sizes) dL/dx") { loss(net, x, w, batch: batch) }
    }

    func testBackwardWithoutParameterGradientsLeavesThemUntouched() throws {
        let (net, x, w) = try makeProblem(sizes: [3, 8, 2], batch: 4)
        net.gradients.fill(42)
        _ = loss(net, x, w, batch: 4)
        let inputGradient = try FloatBuffer(count: 4 * 3)
        net.backward(w.base, parameterGradients: false, inputGradient: inputGradient.base)
        XCTAssertTrue(net.gradients.array.allSatisfy { $0 == 42 })
        XCTAssertTrue(inputGradient.array.contains { $0 != 0 })
    }

    func testPolyakBlendMovesTargetByTau() throws {
        var random = RandomSource(seed: 4)
        let source = try MLP(sizes: [2, 4, 1], maxBatch: 1)
        let target = try MLP(sizes: [2, 4, 1], maxBatch: 1)
        source.initialize(&random)
        target.initialize(&random)
        let before = target.parameters.array
        target.blend(toward: source, tau: 0.25)
        for i in 0..<before.count {
            XCTAssertEqual(target.parameters[i], 0.75 * before[i] + 0.25 * source.parameters[i], accuracy: 1e-6)
        }
    }
}

import XCTest
@testable import SACCore

/// Adam against PyTorch's update rule, and every vector width against the scalar formula.
final class AdamTests: XCTestCase {
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

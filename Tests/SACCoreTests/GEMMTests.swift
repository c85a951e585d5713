import XCTest
@testable import SACCore

final class GEMMTests: XCTestCase {
    /// Sizes chosen to hit the 4×16 register tile, the 8-lane column edge, the scalar column edge
    /// and the row edge, alone and together.
    let shapes = [(4, 16, 3), (5, 17, 7), (1, 1, 1), (9, 33, 256), (256, 12, 64), (3, 8, 5), (64, 64, 64),
                  (6, 16, 9), (13, 48, 31), (256, 256, 256)]

    func naive(_ a: (Int, Int) -> Float, _ b: (Int, Int) -> Float, m: Int, n: Int, k: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n {
            var s: Double = 0
            for p in 0..<k { s += Double(a(i, p)) * Double(b(p, j)) }
            c[i * n + j] = Float(s)
        } }
        return c
    }

    func randomBuffer(_ count: Int, _ random: inout RandomSource) throws -> FloatBuffer {
        let buffer = try FloatBuffer(count: count)
        for i in 0..<count { buffer[i] = random.uniform(-1, 1) }
        return buffer
    }

    func assertClose(_ c: FloatBuffer, _ expected: [Float], _ label: String) {
        for i in 0..<expected.count where abs(c[i] - expected[i]) > 1e-4 * max(1, abs(expected[i])) {
            XCTFail("\(label): element \(i) is \(c[i]), expected \(expected[i])")
            return
        }
    }

    /// Runs `body` on both tile kernels (on a CPU without AVX2 both runs use the portable one).
    func forEachKernel(_ body: () throws -> Void) rethrows {
        let original = GEMM.kernel
        defer { GEMM.kernel = original }
        for kernel in [GEMM.Kernel.portable, original] {
            GEMM.kernel = kernel
            try body()
        }
    }

    func testAllLayoutsMatchNaiveProductIncludingRaggedEdges() throws {
        try forEachKernel(checkAllLayouts)
    }

    func checkAllLayouts() throws {
        var random = RandomSource(seed: 1)
        for (m, n, k) in shapes {
            let label = "\(GEMM.kernel)"
            let a = try randomBuffer(m * k, &random)       // A [m×k], also read as Aᵀ of a [k×m] matrix
            let b = try randomBuffer(k * n, &random)       // B [k×n]
            let bt = try randomBuffer(n * k, &random)      // B stored [n×k] for A·Bᵀ
            let c = try randomBuffer(m * n, &random)
            let scratch = try FloatBuffer(count: k * n)

            GEMM.multiply(a.base, b.base, into: c.base, m: m, n: n, k: k)
            assertClose(c, naive({ a[$0 * k + $1] }, { b[$0 * n + $1] }, m: m, n: n, k: k), "\(label) A·B \(m)x\(n)x\(k)")

            GEMM.multiplyTransposedA(a.base, b.base, into: c.base, m: m, n: n, k: k)
            // a holds a [k×m] matrix here: element (p, i) at p*m + i.
            assertClose(c, naive({ a[$1 * m + $0] }, { b[$0 * n + $1] }, m: m, n: n, k: k), "\(label) Aᵀ·B \(m)x\(n)x\(k)")

            GEMM.multiplyTransposedB(a.base, bt.base, into: c.base, m: m, n: n, k: k, scratch: scratch.base)
            assertClose(c, naive({ a[$0 * k + $1] }, { bt[$1 * k + $0] }, m: m, n: n, k: k), "\(label) A·Bᵀ \(m)x\(n)x\(k)")
        }
    }

    func testAccumulateAddsToExistingValues() throws {
        try forEachKernel(checkAccumulate)
    }

    func checkAccumulate() throws {
        var random = RandomSource(seed: 2)
        let (m, n, k) = (13, 33, 7)
        let a = try randomBuffer(m * k, &random), b = try randomBuffer(k * n, &random)
        let c = try randomBuffer(m * n, &random)
        let before = c.array
        GEMM.multiply(a.base, b.base, into: c.base, m: m, n: n, k: k, accumulate: true)
        let product = naive({ a[$0 * k + $1] }, { b[$0 * n + $1] }, m: m, n: n, k: k)
        assertClose(c, zip(before, product).map { $0 + $1 }, "\(GEMM.kernel) C + A·B")
    }
}

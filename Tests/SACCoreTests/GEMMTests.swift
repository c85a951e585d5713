import XCTest
@testable import SACCore

final class GEMMTests: XCTestCase {
    /// Sizes chosen to hit every kernel's full tiles (4×16, 6×16, 12×32), its row and column edges alone
    /// and together, k longer than one packed block (256), and the one-column and one-row products.
    let shapes = [(4, 16, 3), (5, 17, 7), (1, 1, 1), (9, 33, 256), (256, 12, 64), (3, 8, 5), (64, 64, 64),
                  (6, 16, 9), (13, 48, 31), (256, 256, 256), (256, 1, 256), (1, 256, 17), (1, 12, 256),
                  (23, 256, 40), (40, 23, 300), (300, 70, 513), (130, 1, 3), (12, 64, 1)]

    enum Layout: CaseIterable { case ab, atb, abt }

    func naive(_ a: (Int, Int) -> Float, _ b: (Int, Int) -> Float, m: Int, n: Int, k: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n {
            var s: Double = 0
            for p in 0..<k { s += Double(a(i, p)) * Double(b(p, j)) }
            c[i * n + j] = s
        } }
        return c
    }

    func randomBuffer(_ count: Int, _ random: inout RandomSource) throws -> FloatBuffer {
        let buffer = try FloatBuffer(count: count)
        for i in 0..<count { buffer[i] = random.uniform(-1, 1) }
        return buffer
    }

    /// Runs `body` on every kernel this CPU has.
    func forEachKernel(_ body: (GEMM.Kernel) throws -> Void) rethrows {
        for kernel in GEMM.availableKernels { try body(kernel) }
    }

    struct Case {
        let m, n, k: Int
        let a, b, bias, mask, c: FloatBuffer
        let layout: Layout
        let accumulate: Bool

        /// op(A)[i][p] and op(B)[p][j] as the layout stores them.
        func opA(_ i: Int, _ p: Int) -> Float { layout == .atb ? a[p * m + i] : a[i * k + p] }
        func opB(_ p: Int, _ j: Int) -> Float { layout == .abt ? b[j * k + p] : b[p * n + j] }

        func product(_ epilogue: GEMM.Epilogue, into out: FloatBuffer) -> GEMM.Product {
            let a: GEMM.Operand = layout == .atb ? .transposed(self.a.base, columns: m) : .rowMajor(self.a.base, columns: k)
            let b: GEMM.Operand = layout == .abt ? .transposed(self.b.base, columns: k) : .rowMajor(self.b.base, columns: n)
            return GEMM.Product(m: m, n: n, k: k, a: a, b: b, into: out.base, accumulate: accumulate, epilogue: epilogue)
        }
    }

    func makeCase(_ m: Int, _ n: Int, _ k: Int, _ layout: Layout, accumulate: Bool,
                  _ random: inout RandomSource) throws -> Case {
        Case(m: m, n: n, k: k, a: try randomBuffer(m * k, &random), b: try randomBuffer(k * n, &random),
             bias: try randomBuffer(n, &random), mask: try randomBuffer(m * n, &random), c: try randomBuffer(m * n, &random),
             layout: layout, accumulate: accumulate)
    }

    /// Every layout, with and without accumulation, with each epilogue, against a double-precision
    /// product; then the same product cut in 2, 3 or 5 parts (run in reverse order, each with a pack
    /// buffer of its own) must give the very same bits.
    func testEveryLayoutAndEpilogueMatchesADoublePrecisionProduct() throws {
        try forEachKernel { kernel in
            var random = RandomSource(seed: 1)
            let workspace = try GEMM.Workspace(maxTransposed: 513 * 300, kernel: kernel)
            let packs = try (0..<5).map { _ in try FloatBuffer(count: GEMM.packFloats) }
            for (m, n, k) in shapes {
                for layout in Layout.allCases {
                    for accumulate in [false, true] {
                        let t = try makeCase(m, n, k, layout, accumulate: accumulate, &random)
                        let exact = naive(t.opA, t.opB, m: m, n: n, k: k)
                        let label = "\(kernel) \(layout) \(m)x\(n)x\(k) accumulate \(accumulate)"
                        let epilogues = [("none", GEMM.Epilogue()), ("bias+relu", GEMM.Epilogue(bias: t.bias.base, relu: true)),
                                         ("mask", GEMM.Epilogue(mask: t.mask.base))]
                        for (name, epilogue) in epilogues {
                            let whole = try FloatBuffer(count: m * n)
                            whole.copy(from: t.c)
                            GEMM.run(t.product(epilogue, into: whole), workspace: workspace)
                            for i in 0..<(m * n) {
                                var expected = exact[i] + (accumulate ? Double(t.c[i]) : 0)
                                if name == "bias+relu" { expected = max(expected + Double(t.bias[i % n]), 0) }
                                if name == "mask" && t.mask[i] <= 0 { expected = 0 }
                                guard abs(Double(whole[i]) - expected) <= 1e-5 * Double(k + 1) * max(1, abs(expected)) else {
                                    return XCTFail("\(label) \(name): element \(i) is \(whole[i]), expected \(expected)")
                                }
                            }
                            for parts in [2, 3, 5] {
                                let cut = try FloatBuffer(count: m * n)
                                cut.copy(from: t.c)
                                for part in (0..<parts).reversed() {
                                    GEMM.run(t.product(epilogue, into: cut), workspace: workspace, part: part, parts: parts,
                                             pack: packs[part].base)
                                }
                                XCTAssertEqual(cut.array.map(\.bitPattern), whole.array.map(\.bitPattern), "\(label) \(name): \(parts) parts")
                            }
                        }
                    }
                }
            }
        }
    }

    /// NaN must survive the ReLU epilogue and the mask (a diverged network has to show, not turn into 0).
    func testNaNPassesThroughReLUAndMask() throws {
        try forEachKernel { kernel in
            let workspace = try GEMM.Workspace(maxTransposed: 64, kernel: kernel)
            let a = try FloatBuffer(count: 32), b = try FloatBuffer(count: 32), c = try FloatBuffer(count: 32)
            a.fill(1)
            b.fill(.nan)
            let mask = try FloatBuffer(count: 32)
            mask.fill(1)
            GEMM.run(GEMM.Product(m: 2, n: 16, k: 2, a: .rowMajor(a.base, columns: 2), b: .rowMajor(b.base, columns: 16),
                                  into: c.base, epilogue: GEMM.Epilogue(relu: true, mask: mask.base)), workspace: workspace)
            XCTAssertTrue(c.array.allSatisfy(\.isNaN), "\(kernel)")
        }
    }

    /// One row of a batch is computed exactly as a batch of one: acting on one observation gives the
    /// same bits as the same observation inside act_batch.
    func testARowOfABatchEqualsTheSameRowAlone() throws {
        try forEachKernel { kernel in
            var random = RandomSource(seed: 3)
            let workspace = try GEMM.Workspace(maxTransposed: 0, kernel: kernel)
            for (m, n, k) in [(64, 256, 17), (64, 256, 256), (37, 12, 256), (5, 40, 3)] {
                let a = try randomBuffer(m * k, &random), b = try randomBuffer(k * n, &random)
                let bias = try randomBuffer(n, &random)
                let batch = try FloatBuffer(count: m * n), one = try FloatBuffer(count: n)
                let epilogue = GEMM.Epilogue(bias: bias.base, relu: true)
                GEMM.run(GEMM.Product(m: m, n: n, k: k, a: .rowMajor(a.base, columns: k), b: .rowMajor(b.base, columns: n),
                                      into: batch.base, epilogue: epilogue), workspace: workspace)
                for row in [0, m / 2, m - 1] {
                    GEMM.run(GEMM.Product(m: 1, n: n, k: k, a: .rowMajor(a.base + row * k, columns: k),
                                          b: .rowMajor(b.base, columns: n), into: one.base, epilogue: epilogue), workspace: workspace)
                    XCTAssertEqual(one.array.map(\.bitPattern), Array(batch.array[(row * n)..<((row + 1) * n)]).map(\.bitPattern),
                                   "\(kernel) \(m)x\(n)x\(k) row \(row)")
                }
            }
        }
    }

    /// The AVX2 and AVX-512 kernels compute every element by the same FMA chain, so they agree bit for
    /// bit except on single-column products with a row-major A (dot products, summed lane-wise).
    func testAVX2AndAVX512KernelsGiveTheSameBits() throws {
        guard GEMM.availableKernels.contains(.avx512), GEMM.availableKernels.contains(.avx2) else {
            throw XCTSkip("this CPU lacks AVX-512 or AVX2")
        }
        var random = RandomSource(seed: 4)
        for (m, n, k) in shapes {
            for layout in Layout.allCases where !(n == 1 && layout != .atb) {
                let t = try makeCase(m, n, k, layout, accumulate: true, &random)
                var results: [[UInt32]] = []
                for kernel in [GEMM.Kernel.avx2, .avx512] {
                    let workspace = try GEMM.Workspace(maxTransposed: 513 * 300, kernel: kernel)
            let packs = try (0..<5).map { _ in try FloatBuffer(count: GEMM.packFloats) }
                    let out = try FloatBuffer(count: m * n)
                    out.copy(from: t.c)
                    GEMM.run(t.product(GEMM.Epilogue(bias: t.bias.base, relu: true), into: out), workspace: workspace)
                    results.append(out.array.map(\.bitPattern))
                }
                XCTAssertEqual(results[0], results[1], "\(layout) \(m)x\(n)x\(k)")
            }
        }
    }
}

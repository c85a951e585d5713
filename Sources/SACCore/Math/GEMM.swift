import CKernels

/// Single-precision matrix products, the only hot code in libsac.
///
/// One entry point, `run`, computes C = epilogue(op(A)·op(B) (+ C)) where op(A) and op(B) are read
/// through row and column strides, so the three layouts a dense layer needs (A·B forward, Aᵀ·B for
/// weight gradients, A·Bᵀ for input gradients) need no transposed operand in memory, and the
/// epilogue (bias, ReLU, or the ReLU mask of back-propagation) is applied while C is still in
/// registers. A product can be cut into parts that run at the same time on several threads; every
/// element is computed the same way whatever the cut, so results are bit-identical.
///
/// Three kernels; each agent runs the one its `Compute` names (the fastest the CPU has by default):
/// - `.avx512` and `.avx2`: the whole product in C (CKernels/gemm_driver.h, one algorithm for both):
///   packed panels, 12×32 or 6×16 register tiles, masked edges, fused epilogue, matrix-vector loops;
/// - `.portable`: Swift SIMD 4×16 tiles, edges and epilogue in Swift, for any other CPU.
/// Results are deterministic on one machine; the portable kernel rounds differently from the others
/// (it does not fuse multiply and add).
public enum GEMM {
    typealias Lane = SIMD8<Float>
    static let tileColumns = 2 * Lane.scalarCount

    /// The kernels; each agent picks one (`Compute.kernel`), tests run every one the CPU has.
    public enum Kernel: Sendable, CaseIterable { case avx512, avx2, portable }

    /// The first kernel this CPU can run, in the order of `Kernel` (fastest first).
    public static let fastestKernel: Kernel = availableKernels[0]

    /// The kernels this CPU can run, fastest first.
    public static var availableKernels: [Kernel] {
        Kernel.allCases.filter { kernel in
            switch kernel {
            case .avx512: libsac_cpu_has_avx512() != 0
            case .avx2: libsac_cpu_has_avx2_fma() != 0
            case .portable: true
            }
        }
    }

    /// A matrix operand read through strides: element (i, j) is at base[i·rowStride + j·columnStride].
    public struct Operand {
        public let base: UnsafePointer<Float>
        public let rowStride: Int
        public let columnStride: Int

        /// A row-major matrix with `columns` columns.
        public static func rowMajor(_ base: UnsafePointer<Float>, columns: Int) -> Operand {
            Operand(base: base, rowStride: columns, columnStride: 1)
        }

        /// The transpose of a row-major matrix with `columns` columns (columns × rows).
        public static func transposed(_ base: UnsafePointer<Float>, columns: Int) -> Operand {
            Operand(base: base, rowStride: 1, columnStride: columns)
        }
    }

    /// What happens to C before it is stored: + bias[j], then ReLU, then 0 wherever mask ≤ 0 (mask has
    /// C's layout). NaN passes through.
    public struct Epilogue {
        public var bias: UnsafePointer<Float>?
        public var relu: Bool
        public var mask: UnsafePointer<Float>?

        public init(bias: UnsafePointer<Float>? = nil, relu: Bool = false, mask: UnsafePointer<Float>? = nil) {
            self.bias = bias
            self.relu = relu
            self.mask = mask
        }
    }

    /// C[m×n] (row-major, `ldc` floats per row) = epilogue(op(A)[m×k]·op(B)[k×n] (+ C when accumulate)).
    public struct Product {
        /// The C kernels' description of it.
        public var descriptor: libsac_gemm

        public init(m: Int, n: Int, k: Int, a: Operand, b: Operand, into c: UnsafeMutablePointer<Float>, ldc: Int? = nil,
                    accumulate: Bool = false, epilogue: Epilogue = Epilogue()) {
            descriptor = libsac_gemm(a: a.base, a_row: a.rowStride, a_col: a.columnStride,
                                     b: b.base, b_row: b.rowStride, b_col: b.columnStride, c: c, ldc: ldc ?? n,
                                     m: m, n: n, k: k, accumulate: accumulate ? 1 : 0, relu: epilogue.relu ? 1 : 0,
                                     bias: epilogue.bias, mask: epilogue.mask)
        }

        public var flops: Int { 2 * descriptor.m * descriptor.n * descriptor.k }
    }

    /// Scratch memory for products up to `maxTransposed` (k·n) elements of a transposed B: a packing
    /// buffer, and room for a transposed B on the kernels that need one; with the kernel that runs
    /// them and the counter of their FLOPs, if any.
    public final class Workspace {
        let pack: FloatBuffer
        let transposed: FloatBuffer
        public let kernel: Kernel
        let flopCounter: FlopCounter?

        public init(maxTransposed: Int, kernel: Kernel = fastestKernel, flopCounter: FlopCounter? = nil) throws(SACError) {
            (self.kernel, self.flopCounter) = (kernel, flopCounter)
            pack = try FloatBuffer(count: packFloats)
            transposed = try FloatBuffer(count: maxTransposed)
        }
    }

    /// The floats of a packing buffer (for a part that runs with memory of its own thread).
    public static var packFloats: Int { Int(LIBSAC_GEMM_PACK_FLOATS) }

    /// Computes part `part` of `parts` of `product`. The parts cover C exactly once and touch disjoint
    /// memory, so they may run at the same time, each with its own `pack` buffer of `packFloats`
    /// (the workspace's when nil); `parts` itself never changes the result.
    public static func run(_ product: Product, workspace: Workspace, part: Int = 0, parts: Int = 1,
                           pack: UnsafeMutablePointer<Float>? = nil) {
        var g = product.descriptor
        if part == 0, let counter = workspace.flopCounter { counter.flops += product.flops }
        let pack = pack ?? workspace.pack.base
        switch workspace.kernel {
        case .avx512:
            libsac_gemm_avx512(&g, Int32(part), Int32(parts), pack)
        case .avx2:
            libsac_gemm_avx2(&g, Int32(part), Int32(parts), pack)
        case .portable:
            runTiled(g, workspace: workspace, part: part, parts: parts)
        }
    }

    /// C[m×n] = A[m×k] · B[k×n], or C += A·B when `accumulate`.
    public static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, accumulate: Bool = false, workspace: Workspace
    ) {
        run(Product(m: m, n: n, k: k, a: .rowMajor(a, columns: k), b: .rowMajor(b, columns: n), into: c,
                    accumulate: accumulate), workspace: workspace)
    }

    // MARK: - The portable kernel

    /// Splits C between the parts by whole 16-column panels when there are at least two, else by rows
    /// (whole 4-row tiles), so that each element meets the same tile or edge code whatever the split.
    /// A·Bᵀ goes through a transposed copy of B, which each part makes of its own columns; when the
    /// parts would have to share one (a row split), part 0 computes everything.
    static func runTiled(_ g: libsac_gemm, workspace: Workspace, part: Int, parts: Int) {
        let (m, n, k) = (g.m, g.n, g.k)
        guard m > 0, n > 0 else { return }
        let transposesB = g.b_col != 1
        let panels = n / tileColumns
        var (rows, columns) = (0..<m, 0..<n)
        if parts > 1 && panels >= parts {
            let first = panels * part / parts * tileColumns
            columns = first..<(part + 1 == parts ? n : panels * (part + 1) / parts * tileColumns)
        } else if parts > 1 && !transposesB {
            let units = (m + 3) / 4
            rows = min(m, units * part / parts * 4)..<min(m, units * (part + 1) / parts * 4)
        } else if part > 0 {
            return
        }
        guard !rows.isEmpty, !columns.isEmpty else { return }
        var b = g.b!
        var ldb = g.b_row
        if transposesB {
            // op(B)[p][j] = b[p·b_row + j·b_col] into a row-major [k×n] copy, these columns only.
            let scratch = workspace.transposed.base
            // In 16×16 blocks: a plain walk would write every element to a different cache line.
            for j0 in stride(from: columns.lowerBound, to: columns.upperBound, by: 16) {
                for p0 in stride(from: 0, to: k, by: 16) {
                    for j in j0..<min(j0 + 16, columns.upperBound) {
                        for p in p0..<min(p0 + 16, k) { scratch[p * n + j] = g.b[p * g.b_row + j * g.b_col] }
                    }
                }
            }
            b = UnsafePointer(scratch)
            ldb = n
        }
        let c = g.c! + rows.lowerBound * g.ldc + columns.lowerBound
        tiles(a: g.a + rows.lowerBound * g.a_row, aRowStride: g.a_row, aColumnStride: g.a_col,
              b: b + columns.lowerBound, ldb: ldb, c: c, ldc: g.ldc,
              m: rows.count, n: columns.count, k: k, accumulate: g.accumulate != 0)
        if g.bias != nil || g.relu != 0 {
            Rows.addBias(g.bias.map { $0 + columns.lowerBound }, to: c, rows: rows.count, columns: columns.count,
                         stride: g.ldc, relu: g.relu != 0)
        }
        if let mask = g.mask {
            Rows.maskWhereNotPositive(c, by: mask + rows.lowerBound * g.ldc + columns.lowerBound,
                                      rows: rows.count, columns: columns.count, stride: g.ldc)
        }
    }

    static func tiles(
        a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
        m: Int, n: Int, k: Int, accumulate: Bool
    ) {
        let fullColumns = n - n % tileColumns
        let fullRows = m - m % 4
        var i = 0
        while i < fullRows {
            var j = 0
            while j < fullColumns {
                tile4x16(a: a + i * aRowStride, aRowStride: aRowStride, aColumnStride: aColumnStride,
                         b: b + j, ldb: ldb, c: c + i * ldc + j, ldc: ldc, k: k, accumulate: accumulate)
                j += tileColumns
            }
            i += 4
        }
        // Ragged edges (narrow output layers, odd batch sizes): one row at a time, 8 lanes then scalar.
        if fullColumns < n {
            edge(a: a, aRowStride: aRowStride, aColumnStride: aColumnStride, b: b, ldb: ldb, c: c, ldc: ldc,
                 rows: 0..<fullRows, columns: fullColumns..<n, k: k, accumulate: accumulate)
        }
        if fullRows < m {
            edge(a: a, aRowStride: aRowStride, aColumnStride: aColumnStride, b: b, ldb: ldb, c: c, ldc: ldc,
                 rows: fullRows..<m, columns: 0..<n, k: k, accumulate: accumulate)
        }
    }

    /// The portable register tile: 4 rows × 16 columns of C held in eight 8-lane accumulators.
    @inline(__always)
    static func tile4x16(
        a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
        k: Int, accumulate: Bool
    ) {
        var c00 = Lane(), c01 = Lane(), c10 = Lane(), c11 = Lane()
        var c20 = Lane(), c21 = Lane(), c30 = Lane(), c31 = Lane()
        if accumulate {
            c00 = load(c); c01 = load(c + 8)
            c10 = load(c + ldc); c11 = load(c + ldc + 8)
            c20 = load(c + 2 * ldc); c21 = load(c + 2 * ldc + 8)
            c30 = load(c + 3 * ldc); c31 = load(c + 3 * ldc + 8)
        }
        var aP = a
        var bP = b
        for _ in 0..<k {
            let b0 = load(bP), b1 = load(bP + 8)
            let a0 = Lane(repeating: aP[0])
            let a1 = Lane(repeating: aP[aRowStride])
            let a2 = Lane(repeating: aP[2 * aRowStride])
            let a3 = Lane(repeating: aP[3 * aRowStride])
            c00 += a0 * b0; c01 += a0 * b1
            c10 += a1 * b0; c11 += a1 * b1
            c20 += a2 * b0; c21 += a2 * b1
            c30 += a3 * b0; c31 += a3 * b1
            aP += aColumnStride
            bP += ldb
        }
        store(c00, c); store(c01, c + 8)
        store(c10, c + ldc); store(c11, c + ldc + 8)
        store(c20, c + 2 * ldc); store(c21, c + 2 * ldc + 8)
        store(c30, c + 3 * ldc); store(c31, c + 3 * ldc + 8)
    }

    static func edge(
        a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
        rows: Range<Int>, columns: Range<Int>, k: Int, accumulate: Bool
    ) {
        for i in rows {
            let aRow = a + i * aRowStride
            let cRow = c + i * ldc
            var j = columns.lowerBound
            while j + Lane.scalarCount <= columns.upperBound {
                var acc = accumulate ? load(cRow + j) : Lane()
                for p in 0..<k { acc += Lane(repeating: aRow[p * aColumnStride]) * load(b + p * ldb + j) }
                store(acc, cRow + j)
                j += Lane.scalarCount
            }
            while j < columns.upperBound {
                var acc: Float = accumulate ? cRow[j] : 0
                for p in 0..<k { acc += aRow[p * aColumnStride] * b[p * ldb + j] }
                cRow[j] = acc
                j += 1
            }
        }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Lane {
        UnsafeRawPointer(p).loadUnaligned(as: Lane.self)
    }

    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Float>) -> Lane { load(UnsafePointer(p)) }

    @inline(__always)
    static func store(_ v: Lane, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lane.self)
    }
}

import CKernels

/// Single-precision matrix products on row-major matrices, the only hot code in libsac.
///
/// All three layouts that a dense layer's forward and backward passes need are served by one
/// register-blocked kernel that computes `C (+)= op(A) · B` with `B` read row by row (contiguous),
/// and `op(A)` read through two strides, so `Aᵀ·B` needs no transposed copy. `A·Bᵀ` transposes `B`
/// into caller-provided scratch first: that costs k·n copies against m·k·n multiply-adds.
///
/// The register tiles run as AVX2/FMA code (6×16, in CKernels) on CPUs that have it, chosen once at
/// run time, and as portable Swift SIMD code (4×16) elsewhere; the ragged edges are Swift either way.
/// Results are deterministic on one machine; FMA rounds differently from a multiply and an add, so
/// the two paths may differ in the last bits.
public enum GEMM {
    typealias Lane = SIMD8<Float>
    static let tileColumns = 2 * Lane.scalarCount

    /// Which tile kernel runs; tests switch to `.portable` to check both on an AVX2 machine.
    public enum Kernel: Sendable { case avx2, portable }
    nonisolated(unsafe) public static var kernel: Kernel = libsac_cpu_has_avx2_fma() != 0 ? .avx2 : .portable

    /// Floating-point operations (2·m·n·k per product) of the products run while `isCountingFlops`:
    /// sac-bench measures one update's arithmetic with it. Off (and untouched) otherwise; one thread only.
    nonisolated(unsafe) public static var isCountingFlops = false
    nonisolated(unsafe) public static var countedFlops = 0

    /// C[m×n] = A[m×k] · B[k×n], or C += A·B when `accumulate`.
    @inlinable
    public static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, accumulate: Bool = false
    ) {
        kernel(a: a, aRowStride: k, aColumnStride: 1, b: b, ldb: n, c: c, ldc: n,
               m: m, n: n, k: k, accumulate: accumulate)
    }

    /// C[m×n] = Aᵀ · B where A is stored as [k×m] and B as [k×n] (weight gradients: Xᵀ·dY).
    @inlinable
    public static func multiplyTransposedA(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, accumulate: Bool = false
    ) {
        kernel(a: a, aRowStride: 1, aColumnStride: m, b: b, ldb: n, c: c, ldc: n,
               m: m, n: n, k: k, accumulate: accumulate)
    }

    /// C[m×n] = A[m×k] · Bᵀ where B is stored as [n×k] (input gradients: dY·Wᵀ).
    /// `scratch` must hold k·n floats.
    @inlinable
    public static func multiplyTransposedB(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, scratch: UnsafeMutablePointer<Float>, accumulate: Bool = false
    ) {
        transpose(b, rows: n, columns: k, into: scratch)
        multiply(a, UnsafePointer(scratch), into: c, m: m, n: n, k: k, accumulate: accumulate)
    }

    /// out[columns×rows] = in[rows×columns]ᵀ, in 16×16 blocks: a row-by-row walk would write every
    /// element to a different cache line, which made transposes a tenth of an update's time.
    public static func transpose(
        _ source: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>
    ) {
        let block = 16
        var r0 = 0
        while r0 < rows {
            let r1 = min(r0 + block, rows)
            var c0 = 0
            while c0 < columns {
                let c1 = min(c0 + block, columns)
                for r in r0..<r1 {
                    let row = source + r * columns
                    for col in c0..<c1 { out[col * rows + r] = row[col] }
                }
                c0 = c1
            }
            r0 = r1
        }
    }

    @usableFromInline
    static func kernel(
        a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
        m: Int, n: Int, k: Int, accumulate: Bool
    ) {
        if isCountingFlops { countedFlops += 2 * m * n * k }
        let fullColumns = n - n % tileColumns
        let fullRows: Int
        switch kernel {
        case .avx2:
            fullRows = m  // the C kernel also takes the last m % 6 rows of each 16-column panel
            libsac_gemm_tiles_avx2(a, aRowStride, aColumnStride, b, ldb, c, ldc, m, fullColumns, k,
                                   accumulate ? 1 : 0)
        case .portable:
            fullRows = m - m % 4
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

    /// The register tile: 4 rows × 16 columns of C held in eight 8-lane accumulators.
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

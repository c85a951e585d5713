/// The element-wise work around a network's matrix products, written with explicit 8-lane vectors:
/// the compiler cannot vectorise these loops itself, because it cannot prove that the pointers do
/// not alias. The AVX-512 GEMM fuses bias, ReLU and mask into its epilogue; the other kernels call
/// these after the product.
enum Rows {
    typealias Lane = SIMD8<Float>

    /// y[r, j] += bias[j] (when given) for every row, then max(·, 0) when `relu`. Rows are `stride` apart.
    static func addBias(_ bias: UnsafePointer<Float>?, to y: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                        stride: Int, relu: Bool) {
        let vectorColumns = columns - columns % Lane.scalarCount
        let zero = Lane()
        for r in 0..<rows {
            let row = y + r * stride
            var j = 0
            while j < vectorColumns {
                var v = load(row + j)
                if let bias { v += load(bias + j) }
                if relu { v = v.replacing(with: zero, where: v .<= zero) }  // as max(v, 0): -0 becomes +0
                store(v, row + j)
                j += Lane.scalarCount
            }
            while j < columns {
                var v = row[j]
                if let bias { v += bias[j] }
                row[j] = relu && v <= 0 ? 0 : v
                j += 1
            }
        }
    }

    /// out[j] = Σ_r x[r, j] (bias gradients: the column sums of dL/dY).
    static func sumColumns(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: columns)
        let vectorColumns = columns - columns % Lane.scalarCount
        for r in 0..<rows {
            let row = x + r * columns
            var j = 0
            while j < vectorColumns {
                store(load(out + j) + load(row + j), out + j)
                j += Lane.scalarCount
            }
            while j < columns {
                out[j] += row[j]
                j += 1
            }
        }
    }

    /// g[r, j] = 0 where x[r, j] ≤ 0 (back-propagation through ReLU: x is the layer's ReLU output).
    /// Both have rows `stride` apart.
    static func maskWhereNotPositive(_ g: UnsafeMutablePointer<Float>, by x: UnsafePointer<Float>, rows: Int,
                                     columns: Int, stride: Int) {
        let vectorColumns = columns - columns % Lane.scalarCount
        let zero = Lane()
        for r in 0..<rows {
            let (gRow, xRow) = (g + r * stride, x + r * stride)
            var j = 0
            while j < vectorColumns {
                store(load(gRow + j).replacing(with: zero, where: load(xRow + j) .<= zero), gRow + j)
                j += Lane.scalarCount
            }
            while j < columns {
                if xRow[j] <= 0 { gRow[j] = 0 }
                j += 1
            }
        }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Lane { UnsafeRawPointer(p).loadUnaligned(as: Lane.self) }

    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Float>) -> Lane { load(UnsafePointer(p)) }

    @inline(__always)
    static func store(_ v: Lane, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lane.self)
    }

    /// out = θ + τ·(source − θ) element by element (Polyak averaging); out may be θ itself. Returns
    /// false if an element of out is not finite: x·0 is 0 for a finite x and NaN otherwise, so the
    /// lanes' running sums of those products show any NaN or infinity at no measurable cost.
    static func blend(_ theta: UnsafePointer<Float>, toward source: UnsafePointer<Float>, tau: Float,
                      into out: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        let vectorCount = count - count % Lane.scalarCount
        let tauLanes = Lane(repeating: tau)
        var poison = Lane()
        var i = 0
        while i < vectorCount {
            let t = load(theta + i)
            let v = t + tauLanes * (load(source + i) - t)
            store(v, out + i)
            poison += v * 0
            i += Lane.scalarCount
        }
        var finite = poison == Lane()
        while i < count {
            out[i] = theta[i] + tau * (source[i] - theta[i])
            finite = finite && out[i].isFinite
            i += 1
        }
        return finite
    }
}

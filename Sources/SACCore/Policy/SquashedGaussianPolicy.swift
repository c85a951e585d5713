#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The continuous SAC actor: an MLP giving mean μ(s) and log σ(s) per action dimension,
/// u = μ + σ·ε with ε ~ N(0, I), and the action a = tanh(u) in [-1, 1].
///
/// log π(a|s) = Σᵢ [ log N(uᵢ; μᵢ, σᵢ) − log(1 − tanh²uᵢ) ], where the squashing correction uses the
/// stable identity log(1 − tanh²u) = 2·(log 2 − u − softplus(−2u)), finite for any u.
public final class SquashedGaussianPolicy: RowWork {
    public static let logStdMin: Float = -20
    public static let logStdMax: Float = 2

    public let network: MLP
    public let actionDim: Int
    /// Per-sample workspaces of the last `sample` call, kept for `backward`.
    let noise: FloatBuffer       // ε [batch × actionDim]
    let std: FloatBuffer         // σ [batch × actionDim]
    let logStdClamped: FloatBuffer // 1 where log σ hit a clamp bound (no gradient), else 0
    public let actions: FloatBuffer  // a = tanh(u) [batch × actionDim]
    public let logProbs: FloatBuffer // log π(a|s) [batch]
    let headGradient: FloatBuffer    // dL/d(μ, log σ) [batch × 2·actionDim]
    private var lastBatch = 0

    public init(obsDim: Int, actionDim: Int, hidden: [Int], maxBatch: Int, versioned: Bool = true,
                compute: Compute = Compute()) throws(SACError) {
        network = try MLP(sizes: [obsDim] + hidden + [2 * actionDim], maxBatch: maxBatch, versioned: versioned,
                          compute: compute)
        self.actionDim = actionDim
        noise = try FloatBuffer(count: maxBatch * actionDim)
        std = try FloatBuffer(count: maxBatch * actionDim)
        logStdClamped = try FloatBuffer(count: maxBatch * actionDim)
        actions = try FloatBuffer(count: maxBatch * actionDim)
        logProbs = try FloatBuffer(count: maxBatch)
        headGradient = try FloatBuffer(count: maxBatch * 2 * actionDim)
    }

    public var maxBatch: Int { network.maxBatch }

    /// Deterministic actions tanh(μ(s)) for `batch` observations, written to `actions`.
    public func meanActions(_ observations: UnsafePointer<Float>, batch: Int) {
        let head = network.forward(observations, batch: batch)
        for r in 0..<batch {
            for i in 0..<actionDim { actions[r * actionDim + i] = tanhf(head[r * 2 * actionDim + i]) }
        }
    }

    /// Reparameterised samples: fills `actions` and `logProbs` for `batch` observations, drawing
    /// ε from `random` in row order, and remembers what `backward` needs.
    public func sample(_ observations: UnsafePointer<Float>, batch: Int, random: inout RandomSource) {
        lastBatch = batch
        network.forward(observations, batch: batch)
        for k in 0..<(batch * actionDim) { noise[k] = random.normal() }
        // The transcendental functions below cost about as much as a small matrix product: with a
        // thread each, they take a share of the rows each.
        if let runner = network.runner, runner.canHandOver, batch >= Self.splitRows {
            runner.run(.rows(self, rows: batch))
        } else {
            squash(rows: 0..<batch)
        }
    }

    /// Batches at least this large split `squash` between the threads.
    static let splitRows = 32

    public func process(rows: Range<Int>) { squash(rows: rows) }

    /// a = tanh(μ + σε) and log π(a|s) for `rows`, from the network's last output and `noise`.
    func squash(rows: Range<Int>) {
        let head = network.output
        let halfLog2Pi: Float = 0.5 * logf(2 * .pi)
        for r in rows {
            var logProb: Float = 0
            for i in 0..<actionDim {
                let k = r * actionDim + i
                let mean = head[r * 2 * actionDim + i]
                let rawLogStd = head[r * 2 * actionDim + actionDim + i]
                let logStd = min(max(rawLogStd, Self.logStdMin), Self.logStdMax)
                logStdClamped[k] = logStd == rawLogStd ? 0 : 1
                let sigma = expf(logStd)
                let eps = noise[k]
                let u = mean + sigma * eps
                std[k] = sigma
                actions[k] = tanhf(u)
                logProb += -0.5 * eps * eps - logStd - halfLog2Pi - Self.logOneMinusTanhSquared(u)
            }
            logProbs[r] = logProb
        }
    }

    /// log(1 − tanh²u) = 2·(log 2 − u − softplus(−2u)).
    @inline(__always)
    public static func logOneMinusTanhSquared(_ u: Float) -> Float {
        2 * (Float(M_LN2) - u - softplus(-2 * u))
    }

    @inline(__always)
    public static func softplus(_ x: Float) -> Float {
        max(x, 0) + log1pf(expf(-abs(x)))
    }

    /// Back-propagates a loss L that depends on the last sample through the actions (`actionGradient`
    /// = dL/da, [batch × actionDim]) and through the log-probabilities (dL/d log πᵣ =
    /// `logProbGradient` for every row), leaving dL/dθ in `network.gradients`.
    ///
    /// With u = μ + σε and a = tanh(u): ∂log π/∂u = 2·tanh(u) (from the squashing term),
    /// ∂log π/∂log σ = −1 + 2·tanh(u)·σε, and ∂a/∂u = 1 − a².
    public func backward(actionGradient: UnsafePointer<Float>, logProbGradient: Float) {
        let batch = lastBatch
        let width = 2 * actionDim
        for r in 0..<batch {
            for i in 0..<actionDim {
                let k = r * actionDim + i
                let a = actions[k]
                let dLdu = actionGradient[k] * (1 - a * a) + logProbGradient * 2 * a
                let sigmaEps = std[k] * noise[k]
                headGradient[r * width + i] = dLdu
                let dLdLogStd = dLdu * sigmaEps - logProbGradient
                headGradient[r * width + actionDim + i] = logStdClamped[k] == 0 ? dLdLogStd : 0
            }
        }
        network.backward(headGradient.base, parameterGradients: true)
    }
}

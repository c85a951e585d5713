/// Soft Q-learning's policy: the Boltzmann distribution of the twin critics' minimum,
/// π(a|s) = exp(Q(s, a)/α) / Σ_b exp(Q(s, b)/α).
final class BoltzmannPolicy: CategoricalPolicy {
    let critics: TwinCritics
    let alpha: Float
    let probabilities: FloatBuffer
    let logProbabilities: FloatBuffer

    init(critics: TwinCritics, alpha: Float, maxBatch: Int) throws(SACError) {
        self.critics = critics
        self.alpha = alpha
        probabilities = try FloatBuffer(count: maxBatch * critics.outputs)
        logProbabilities = try FloatBuffer(count: maxBatch * critics.outputs)
    }

    func distribution(_ observations: UnsafePointer<Float>, rows: Int)
        -> (probabilities: UnsafePointer<Float>, logProbabilities: UnsafePointer<Float>)
    {
        let q = critics.minimum(observations, rows: rows, targets: false)
        Softmax.rows(q, rows: rows, columns: critics.outputs, temperature: alpha,
                     probabilities: probabilities.base, logProbabilities: logProbabilities.base)
        return (UnsafePointer(probabilities.base), UnsafePointer(logProbabilities.base))
    }

    /// Both heads, not only their minimum: min(NaN, q) can be q, hiding a broken head.
    func checkOutput(rows: Int, firstRow: Int) throws(SACError) {
        let columns = critics.outputs
        try Divergence.checkOutput(critics.critic1.output, rows: rows, columns: columns, firstRow: firstRow,
                                   "the first critic's Q-values")
        try Divergence.checkOutput(critics.critic2.output, rows: rows, columns: columns, firstRow: firstRow,
                                   "the second critic's Q-values")
    }
}

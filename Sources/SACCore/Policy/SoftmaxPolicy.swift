/// Discrete SAC's policy: the softmax of a network's logits, one per action.
final class SoftmaxPolicy: CategoricalPolicy {
    let network: MLP
    let actionCount: Int
    /// π(·|s) and log π(·|s) of the last `distribution` call, [batch × actionCount].
    let probabilities: FloatBuffer
    let logProbabilities: FloatBuffer

    init(obsDim: Int, hidden: [Int], actionCount: Int, maxBatch: Int, versioned: Bool, compute: Compute) throws(SACError) {
        network = try MLP(sizes: [obsDim] + hidden + [actionCount], maxBatch: maxBatch, versioned: versioned,
                          compute: compute)
        self.actionCount = actionCount
        probabilities = try FloatBuffer(count: maxBatch * actionCount)
        logProbabilities = try FloatBuffer(count: maxBatch * actionCount)
    }

    /// Log-sum-exp with the maximum subtracted: finite for any finite logits.
    @discardableResult
    func distribution(_ observations: UnsafePointer<Float>, rows: Int)
        -> (probabilities: UnsafePointer<Float>, logProbabilities: UnsafePointer<Float>)
    {
        let logits = network.forward(observations, batch: rows)
        Softmax.rows(logits, rows: rows, columns: actionCount, temperature: 1,
                     probabilities: probabilities.base, logProbabilities: logProbabilities.base)
        return (UnsafePointer(probabilities.base), UnsafePointer(logProbabilities.base))
    }

    func checkOutput(rows: Int, firstRow: Int) throws(SACError) {
        try Divergence.checkOutput(network.output, rows: rows, columns: actionCount, firstRow: firstRow, "the actor's logits")
    }
}

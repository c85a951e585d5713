/// A policy given as probabilities over a fixed number of actions.
protocol CategoricalPolicy: AnyObject {
    /// π(·|s) and log π(·|s) for `rows` (≤ batch_size) observations, [rows × actionCount] each.
    func distribution(_ observations: UnsafePointer<Float>, rows: Int)
        -> (probabilities: UnsafePointer<Float>, logProbabilities: UnsafePointer<Float>)
    /// Throws `.diverged` if a network output behind the last `distribution` (logits, or both heads'
    /// Q-values) is not finite, for its `rows` observations starting at `firstRow`.
    func checkOutput(rows: Int, firstRow: Int) throws(SACError)
}

/// The divergence guard's checks inside a gradient step. A step throws at the first value that is
/// not finite, and `SACAgent.update` rolls back whatever the step had changed, so a run that
/// diverges stops with an error instead of training on, and saving, NaN weights.
enum Divergence {
    /// A loss or statistic, named as `sac_update_stats` names it.
    @inline(__always)
    static func check(_ value: Float, _ name: StaticString) throws(SACError) {
        guard value.isFinite else { throw SACError(.diverged, "\(name) is \(value)") }
    }

    /// The last Adam step of `optimizer` (its new weights and moments).
    @inline(__always)
    static func check(_ optimizer: Adam, _ what: StaticString) throws(SACError) {
        guard optimizer.lastStepWasFinite else {
            throw SACError(.diverged, "\(what) produced a NaN or infinite weight or moment (its gradient overflowed)")
        }
    }

    /// A network output that acting is about to use: [rows × columns] `values`, which are `what` (the
    /// actor's means and log standard deviations, logits, Q-values) for observations `firstRow...`.
    static func checkOutput(_ values: UnsafePointer<Float>, rows: Int, columns: Int, firstRow: Int,
                            _ what: StaticString) throws(SACError) {
        for k in 0..<(rows * columns) where !values[k].isFinite {
            throw SACError(.diverged, "\(what) for observation \(firstRow + k / columns) is \(values[k]): the "
                + "network's weights or this observation are too large for float arithmetic; no action was written")
        }
    }

    /// The last Polyak average of `target` (its new weights).
    @inline(__always)
    static func check(blendOf target: MLP, _ what: StaticString) throws(SACError) {
        guard target.lastBlendWasFinite else {
            throw SACError(.diverged, "the Polyak update of \(what) produced a NaN or infinite weight")
        }
    }
}

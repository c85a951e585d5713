/// The twin-critic regression loss ½·mean(Q₁ − y)² + ½·mean(Q₂ − y)², shared by every SAC variant.
///
/// Row r's prediction is at offset `r * width + column(r)` of each critic's output (width 1 for a
/// continuous critic on [s, a]; one column per action, the stored action's, for discrete heads).
/// dL/dQ is written at those offsets of `gradient1` and `gradient2`; other entries are left alone.
/// Returns the loss and the mean of min(Q₁, Q₂) at the chosen entries.
@inline(__always)
func twinCriticSquaredError(
    _ q1: UnsafePointer<Float>, _ q2: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows: Int,
    width: Int, column: (Int) -> Int,
    gradient1: UnsafeMutablePointer<Float>, gradient2: UnsafeMutablePointer<Float>
) -> (loss: Float, meanQ: Float) {
    var loss: Float = 0
    var sumQ: Float = 0
    let scale = 1 / Float(rows)
    for r in 0..<rows {
        let k = r * width + column(r)
        let e1 = q1[k] - targets[r]
        let e2 = q2[k] - targets[r]
        loss += 0.5 * (e1 * e1 + e2 * e2)
        sumQ += min(q1[k], q2[k])
        gradient1[k] = e1 * scale
        gradient2[k] = e2 * scale
    }
    return (loss * scale, sumQ * scale)
}

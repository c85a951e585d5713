import CSac
import SACCore

// The exported functions that take gradient steps: on replay samples or on a caller's batch.

extension sac_update_stats {
    /// The size of the first published sac_update_stats (0.1.0, which ended at mean_q).
    static let minimumSize = MemoryLayout<sac_update_stats>.offset(of: \.value_loss)!
    static let knownSize = MemoryLayout<sac_update_stats>.stride
}

/// Checks a caller's stats struct before anything changes; returns its struct_size (0 when NULL).
private func statsSize(_ stats: UnsafeMutablePointer<sac_update_stats>?) throws(SACError) -> Int {
    guard let stats else { return 0 }
    let size = UnsafeRawPointer(stats).load(as: Int.self)
    try Check.structSize(size, "stats->struct_size", minimum: sac_update_stats.minimumSize,
                         known: sac_update_stats.knownSize)
    return size
}

private func write(_ last: UpdateStats, to stats: UnsafeMutablePointer<sac_update_stats>?, size: Int) {
    guard let stats else { return }
    var out = sac_update_stats(
        struct_size: size, critic_loss: last.criticLoss, actor_loss: last.actorLoss, alpha: last.alpha,
        alpha_loss: last.alphaLoss, entropy: last.entropy, mean_q: last.meanQ, value_loss: last.valueLoss)
    copyPrefix(of: &out, to: stats, byteCount: size)
}

@c @implementation
public func sac_update(_ handle: OpaquePointer?, _ gradientSteps: UInt32, _ stats: UnsafeMutablePointer<sac_update_stats>?) -> Int32 {
    reportingErrors("sac_update") { () throws(SACError) in
        let agent = try agentObject(handle)
        guard gradientSteps > 0 else { throw SACError(.invalidArgument, "gradient_steps is 0; it must be at least 1") }
        let size = try statsSize(stats)
        write(try agent.update(steps: Int(gradientSteps)), to: stats, size: size)
    }
}

@c @implementation
public func sac_update_from_batch(
    _ handle: OpaquePointer?, _ batchPointer: UnsafePointer<sac_batch>?, _ stats: UnsafeMutablePointer<sac_update_stats>?
) -> Int32 {
    reportingErrors("sac_update_from_batch") { () throws(SACError) in
        let agent = try agentObject(handle)
        let given = try CallerBatch.read(batchPointer)
        let size = try statsSize(stats)
        try agent.requireTrainable()
        let rows = try CallerBatch(given, for: agent, rows: 1...agent.config.batchSize, "the agent's batch_size").rows
        write(try agent.update(on: rows), to: stats, size: size)
    }
}

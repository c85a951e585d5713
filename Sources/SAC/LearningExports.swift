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

extension sac_batch {
    static let knownSize = MemoryLayout<sac_batch>.stride
}

@c @implementation
public func sac_update_from_batch(
    _ handle: OpaquePointer?, _ batchPointer: UnsafePointer<sac_batch>?, _ stats: UnsafeMutablePointer<sac_update_stats>?
) -> Int32 {
    reportingErrors("sac_update_from_batch") { () throws(SACError) in
        let agent = try agentObject(handle)
        let batchPointer = try Check.notNull(batchPointer, "batch")
        let batchSize = UnsafeRawPointer(batchPointer).load(as: Int.self)
        try Check.structSize(batchSize, "batch->struct_size", minimum: sac_batch.knownSize, known: sac_batch.knownSize)
        let size = try statsSize(stats)
        try agent.requireTrainable()
        let given = batchPointer.pointee
        let staged = try CallerBatch(given, for: agent).stage()
        write(try agent.update(on: staged), to: stats, size: size)
    }
}

/// A caller's `sac_batch`, checked completely before it is copied into the agent's batch workspace.
private struct CallerBatch {
    let agent: Agent
    let rows: Int
    let obs: UnsafePointer<Float>
    let nextObs: UnsafePointer<Float>
    let rewards: UnsafePointer<Float>
    let terminated: UnsafePointer<UInt8>
    let actions: UnsafePointer<Float>?
    let indices: UnsafePointer<Int32>?

    init(_ batch: sac_batch, for agent: Agent) throws(SACError) {
        self.agent = agent
        let config = agent.config
        guard batch.n >= 1, batch.n <= config.batchSize else {
            throw SACError(.length, "batch->n is \(batch.n); it must be in 1...\(config.batchSize) (the agent's batch_size)")
        }
        rows = batch.n
        obs = try Check.notNull(batch.obs, "batch->obs")
        nextObs = try Check.notNull(batch.next_obs, "batch->next_obs")
        rewards = try Check.notNull(batch.rewards, "batch->rewards")
        terminated = try Check.notNull(batch.terminated, "batch->terminated")
        let obsCount = rows * config.obsDim
        try Check.finite(obs, count: obsCount, "batch->obs")
        try Check.finite(rewards, count: rows, "batch->rewards")
        try Check.finite(nextObs, count: obsCount, "batch->next_obs")
        if let discrete = agent as? DiscreteAgent {
            guard batch.actions == nil else {
                throw SACError(.wrongAlgorithm, "batch->actions is set, but the agent is \(config.algorithm.cName): "
                    + "give action indices in batch->action_indices and leave batch->actions NULL")
            }
            let indices = try Check.notNull(batch.action_indices, "batch->action_indices")
            for r in 0..<rows { try Check.actionIndex(indices[r], "batch->action_indices[\(r)]", count: discrete.actionCount) }
            self.indices = indices
            actions = nil
        } else {
            guard batch.action_indices == nil else {
                throw SACError(.wrongAlgorithm, "batch->action_indices is set, but the agent is \(config.algorithm.cName): "
                    + "give float actions in batch->actions and leave batch->action_indices NULL")
            }
            let actions = try Check.notNull(batch.actions, "batch->actions")
            try Check.finite(actions, count: rows * config.actionDim, "batch->actions")
            self.actions = actions
            indices = nil
        }
    }

    /// Copies the rows into the agent's batch workspace, actions as the replay stores them.
    func stage() -> TransitionBatch {
        let batch = agent.batch
        let obsCount = rows * agent.config.obsDim
        batch.size = rows
        batch.observations.base.update(from: obs, count: obsCount)
        batch.nextObservations.base.update(from: nextObs, count: obsCount)
        batch.rewards.base.update(from: rewards, count: rows)
        for r in 0..<rows { batch.terminals[r] = terminated[r] != 0 ? 1 : 0 }
        if let indices {
            for r in 0..<rows { batch.actions[r] = Float(indices[r]) }
        } else if let actions, let continuous = agent as? ContinuousActorCritic {
            continuous.writePolicyRange(actions, into: batch.actions.base, rows: rows)
        }
        return batch
    }
}

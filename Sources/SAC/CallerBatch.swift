import CSac
import SACCore

// Batches of transitions from the caller (`sac_batch`): sac_update_from_batch and sac_observe_batch.

extension sac_batch {
    static let knownSize = MemoryLayout<sac_batch>.stride
}

/// A caller's `sac_batch`, checked completely, with the C names in its messages, before the agent
/// gets its rows.
struct CallerBatch {
    let rows: TransitionRows

    /// The caller's struct, after checking the pointer and its struct_size.
    static func read(_ pointer: UnsafePointer<sac_batch>?) throws(SACError) -> sac_batch {
        let pointer = try Check.notNull(pointer, "batch")
        let size = UnsafeRawPointer(pointer).load(as: Int.self)
        try Check.structSize(size, "batch->struct_size", minimum: sac_batch.knownSize, known: sac_batch.knownSize)
        return pointer.pointee
    }

    /// Checks every row: `rows` is the range n must fall in (`limit` names its upper end).
    init(_ batch: sac_batch, for agent: Agent, rows allowed: ClosedRange<Int>, _ limit: String) throws(SACError) {
        let config = agent.config
        // a size_t above Int.max arrives negative: outside any allowed range
        guard allowed.contains(batch.n) else {
            throw SACError(.length, "batch->n is \(UInt(bitPattern: batch.n)); it must be in "
                + "\(allowed.lowerBound)...\(allowed.upperBound) (\(limit))")
        }
        let n = batch.n
        let obs = try Check.notNull(batch.obs, "batch->obs")
        let nextObs = try Check.notNull(batch.next_obs, "batch->next_obs")
        let rewards = try Check.notNull(batch.rewards, "batch->rewards")
        let terminated = try Check.notNull(batch.terminated, "batch->terminated")
        let obsCount = n * config.obsDim
        try Check.finite(obs, count: obsCount, "batch->obs")
        try Check.finite(rewards, count: n, "batch->rewards")
        try Check.finite(nextObs, count: obsCount, "batch->next_obs")
        let actions: TransitionRows.Actions
        if agent.actionSpace.isDiscrete {
            guard batch.actions == nil else {
                throw SACError(.wrongAlgorithm, "batch->actions is set, but the agent is \(config.algorithm.cName): "
                    + "give action indices in batch->action_indices and leave batch->actions NULL")
            }
            let indices = try Check.notNull(batch.action_indices, "batch->action_indices")
            for r in 0..<n { try Check.actionIndex(indices[r], "batch->action_indices[\(r)]", count: config.actionCount) }
            actions = .indices(indices)
        } else {
            guard batch.action_indices == nil else {
                throw SACError(.wrongAlgorithm, "batch->action_indices is set, but the agent is \(config.algorithm.cName): "
                    + "give float actions in batch->actions and leave batch->action_indices NULL")
            }
            let vectors = try Check.notNull(batch.actions, "batch->actions")
            try Check.finite(vectors, count: n * config.actionDim, "batch->actions")
            actions = .vectors(vectors)
        }
        rows = TransitionRows(count: n, observations: obs, actions: actions, rewards: rewards, nextObservations: nextObs,
                              terminated: terminated)
    }
}

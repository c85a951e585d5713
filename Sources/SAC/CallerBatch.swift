import CSac
import SACCore

// Batches of transitions from the caller (`sac_batch`): sac_update_from_batch and sac_observe_batch.

extension sac_batch {
    static let knownSize = MemoryLayout<sac_batch>.stride
}

/// A caller's `sac_batch`, checked completely before anything is copied: into the agent's batch
/// workspace (a gradient step) or its replay buffer (observing).
struct CallerBatch {
    let agent: Agent
    let rows: Int
    let obs: UnsafePointer<Float>
    let nextObs: UnsafePointer<Float>
    let rewards: UnsafePointer<Float>
    let terminated: UnsafePointer<UInt8>
    let actions: UnsafePointer<Float>?
    let indices: UnsafePointer<Int32>?

    /// The caller's struct, after checking the pointer and its struct_size.
    static func read(_ pointer: UnsafePointer<sac_batch>?) throws(SACError) -> sac_batch {
        let pointer = try Check.notNull(pointer, "batch")
        let size = UnsafeRawPointer(pointer).load(as: Int.self)
        try Check.structSize(size, "batch->struct_size", minimum: sac_batch.knownSize, known: sac_batch.knownSize)
        return pointer.pointee
    }

    /// Checks every row: `rows` is the range n must fall in (`limit` names its upper end).
    init(_ batch: sac_batch, for agent: Agent, rows allowed: ClosedRange<Int>, _ limit: String) throws(SACError) {
        self.agent = agent
        let config = agent.config
        // a size_t above Int.max arrives negative: outside any allowed range
        guard allowed.contains(batch.n) else {
            throw SACError(.length, "batch->n is \(UInt(bitPattern: batch.n)); it must be in "
                + "\(allowed.lowerBound)...\(allowed.upperBound) (\(limit))")
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

    /// Stores every row in the replay buffer in row order, as sac_observe would. `init` checked every
    /// value and the caller that the agent is trainable, so no row can fail after another was stored.
    func observeAll() throws(SACError) {
        let (obsDim, actionDim) = (agent.config.obsDim, agent.config.actionDim)
        for r in 0..<rows {
            let (observation, next, reward, done) = (obs + r * obsDim, nextObs + r * obsDim, rewards[r], terminated[r] != 0)
            if let indices {
                var index = Float(indices[r])
                try agent.observe(observation: observation, action: &index, reward: reward, nextObservation: next,
                                  terminated: done)
            } else if let actions {
                try agent.observe(observation: observation, action: actions + r * actionDim, reward: reward,
                                  nextObservation: next, terminated: done)
            }
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
